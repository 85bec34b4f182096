// MySQL's binary JSON (MariaDB stores JSON as text) as JSON text, by zongji's decoder: the package exports only its
// client, so the decoder is reached by its path inside the package.
const decoderUrl = new URL("lib/json_decode.js", import.meta.resolve("@vlasky/zongji"));
const decoder = (await import(decoderUrl.href)) as { default: (input: Buffer) => unknown; jsonToText: (value: unknown) => string };

export function mysqlJsonText(binary: Buffer): string {
  return decoder.jsonToText(decoder.default(binary));
}
