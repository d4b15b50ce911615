// The binary message both components read (app_logic/frames.py writes it): a 4-byte
// little-endian header length, the JSON header, then the blobs it names as [start, size].
export function parse(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
  const body = bytes.subarray(4 + length);
  const blob = (name) => {
    const at = header.blobs[name];
    return at ? body.slice(at[0], at[0] + at[1]) : null; // a copy: aligned for typed arrays
  };
  return { header, blob };
}

export async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

