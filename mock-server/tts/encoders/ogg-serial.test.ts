import t from "tap";
import { OggPageError, OggSerialPin, oggCrc } from "./ogg-serial.ts";

/** A page of one packet: header, one lacing value, the body; serial and CRC as given. */
function page(body: number[], serial: number, crc = 0): Uint8Array {
  const out = new Uint8Array(28 + body.length);
  out.set([0x4f, 0x67, 0x67, 0x53]);
  const view = new DataView(out.buffer);
  view.setUint32(14, serial, true);
  view.setUint32(22, crc, true);
  out[26] = 1;
  out[27] = body.length;
  out.set(body, 28);
  return out;
}

t.test("the Ogg CRC is CRC-32 with polynomial 0x04C11DB7, initial 0, no final XOR", async (t) => {
  t.equal(oggCrc(new TextEncoder().encode("123456789")), 0x89a1897f, "the check value");
  t.equal(oggCrc(new Uint8Array(0)), 0);
});

t.test("every page gets the fixed serial and a CRC that matches it", async (t) => {
  const pin = new OggSerialPin(0x53504d4b);
  const out = pin.push(new Uint8Array([...page([1, 2, 3], 0xdeadbeef, 7), ...page([4], 12345, 9)]));
  t.equal(out.length, 31 + 29);
  for (const at of [0, 31]) {
    const p = out.slice(at, at === 0 ? 31 : undefined);
    const view = new DataView(p.buffer);
    t.equal(view.getUint32(14, true), 0x53504d4b, "serial");
    const crc = view.getUint32(22, true);
    view.setUint32(22, 0, true);
    t.equal(crc, oggCrc(p), "CRC over the page with its CRC field zero");
  }
  pin.end();
});

t.test("a page split across writes waits for its rest; the same page gives the same bytes", async (t) => {
  const whole = new OggSerialPin(1).push(page([9, 8, 7, 6], 77));
  const pin = new OggSerialPin(1);
  const bytes = page([9, 8, 7, 6], 99);
  t.equal(pin.push(bytes.slice(0, 10)).length, 0, "half a header: nothing yet");
  t.equal(pin.push(bytes.slice(10, 29)).length, 0, "a header without its body: nothing yet");
  t.same([...pin.push(bytes.slice(29))], [...whole], "then the page, as if it came whole");
});

t.test("what is not an Ogg page, or a stream that ends mid-page, is an error", async (t) => {
  t.throws(() => new OggSerialPin(1).push(new Uint8Array(40)), OggPageError);
  const pin = new OggSerialPin(1);
  pin.push(page([1, 2], 5).slice(0, 20));
  t.throws(() => pin.end(), { name: "OggPageError", message: /mid-page: 20 bytes left over/ });
});
