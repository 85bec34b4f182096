// The sandbox page: a Slack-like channel with a composer for /db commands, threads, modals and confirm dialogs.
// Its behaviour is plain JavaScript in assets/ (no build step), served by routes.ts.
export function sandboxPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sluice sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/sandbox/assets/sandbox.css">
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
</head><body>
<header class="top">
  <div><span class="brand">Sluice sandbox</span> <span id="channel-name" class="channel"></span></div>
  <div class="top-right"><button type="button" id="dm-open" class="dm-toggle">✉ Direct messages</button>
  <label class="acting">Acting as <select id="user" aria-label="Acting user"></select></label></div>
</header>
<main class="layout">
  <section class="channel-pane">
    <div id="messages" class="messages" aria-live="polite"></div>
    <div id="notice" class="notice" role="status" hidden></div>
    <form id="composer-form" class="composer">
      <input id="composer" autocomplete="off" placeholder="Type a slash command, e.g. /db help" aria-label="Message">
      <button class="btn primary" type="submit">Send</button>
    </form>
  </section>
  <aside id="dms" class="thread-pane" hidden>
    <div class="thread-head"><b>Sluice · direct messages</b><button type="button" id="dms-close" class="icon" aria-label="Close direct messages">✕</button></div>
    <div id="dms-body" class="messages"></div>
  </aside>
  <aside id="thread" class="thread-pane" hidden>
    <div class="thread-head"><b>Thread</b><button type="button" id="thread-close" class="icon" aria-label="Close thread">✕</button></div>
    <div id="thread-body" class="messages"></div>
  </aside>
</main>
<div id="modal" class="overlay" hidden>
  <div class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title">
    <div class="modal-head"><button type="button" id="modal-back" class="icon" aria-label="Back" hidden>←</button>
      <h2 id="modal-title"></h2><button type="button" id="modal-close-x" class="icon" aria-label="Close" onclick="document.getElementById('modal-close').click()">✕</button></div>
    <div id="modal-body" class="modal-body"></div>
    <div id="modal-error" class="field-error" role="alert"></div>
    <div class="modal-foot"><button type="button" id="modal-close" class="btn">Cancel</button><button type="button" id="modal-submit" class="btn primary">Submit</button></div>
  </div>
</div>
<div id="confirm" class="overlay" hidden>
  <div class="modal confirm" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title">
    <h2 id="confirm-title"></h2><div id="confirm-text"></div>
    <div class="modal-foot"><button type="button" id="confirm-no" class="btn">Cancel</button><button type="button" id="confirm-yes" class="btn primary">Yes</button></div>
  </div>
</div>
<script type="module" src="/sandbox/assets/sandbox.js"></script>
</body></html>`;
}
