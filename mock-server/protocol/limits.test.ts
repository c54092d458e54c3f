import t from "tap";
import { defaultLimits, resolveLimits } from "./limits.ts";

t.test("the defaults are an 8192-byte header block, 64 KiB audio payloads and 64 KiB text messages", async (t) => {
  t.strictSame(defaultLimits, { headerBlockBytes: 8192, binaryPayloadBytes: 65536, textMessageBytes: 65536 });
  t.ok(Object.isFrozen(defaultLimits));
});

t.test("resolveLimits fills in defaults and keeps overrides", async (t) => {
  t.strictSame(resolveLimits(), defaultLimits);
  t.strictSame(resolveLimits({ textMessageBytes: 10 }), { headerBlockBytes: 8192, binaryPayloadBytes: 65536, textMessageBytes: 10 });
  t.ok(Object.isFrozen(resolveLimits({})));
});

t.test("resolveLimits refuses a limit that is not a positive integer", async (t) => {
  for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.throws(() => resolveLimits({ binaryPayloadBytes: value }), {
      name: "RangeError",
      message: `Cannot use protocol limit binaryPayloadBytes: ${JSON.stringify(value)} is not a positive integer`,
    });
  }
  t.throws(() => resolveLimits({ textMessageBytes: "10" as unknown as number }), {
    name: "RangeError",
    message: /textMessageBytes: "10" is not/,
  });
});

t.test("resolveLimits refuses a header block limit the 2-byte prefix cannot express", async (t) => {
  t.strictSame(resolveLimits({ headerBlockBytes: 65535 }).headerBlockBytes, 65535);
  t.throws(() => resolveLimits({ headerBlockBytes: 65536 }), {
    name: "RangeError",
    message: "Cannot use protocol limit headerBlockBytes: 65536 exceeds the 2-byte prefix maximum 65535",
  });
});
