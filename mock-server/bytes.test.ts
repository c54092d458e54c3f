import t from "tap";
import { concatBytes } from "./bytes.ts";

t.test("parts are joined in order; one part is returned as it is; none gives an empty array", async (t) => {
  t.strictSame([...concatBytes([new Uint8Array([1, 2]), new Uint8Array([]), new Uint8Array([3])])], [1, 2, 3]);
  const one = new Uint8Array([9]);
  t.equal(concatBytes([one]), one);
  t.equal(concatBytes([]).byteLength, 0);
});
