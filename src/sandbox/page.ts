// The sandbox page: a channel-like view of what Sluice posts, and a box to type /db commands.
export function sandboxPage(): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Sluice sandbox</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}pre{background:#f4f4f4;padding:.5rem;white-space:pre-wrap}</style>
</head><body>
<h1>Sluice sandbox</h1>
<form id="f"><input id="t" size="60" value="/db help" aria-label="command"> <button>Send</button></form>
<div id="out"></div>
<script>
const out = document.getElementById('out');
document.getElementById('f').onsubmit = async (e) => {
  e.preventDefault();
  const text = document.getElementById('t').value.replace(/^\\/db\\s*/, '');
  const r = await fetch('/sandbox/command', {method:'POST', body: JSON.stringify({text})});
  const reply = await r.json();
  const pre = document.createElement('pre');
  pre.textContent = reply.body ? JSON.stringify(JSON.parse(reply.body), null, 2) : 'status ' + reply.status;
  out.prepend(pre);
};
</script></body></html>`;
}
