// Initial and reset passwords made in the browser (the API takes a password; it does not
// make one): 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I), about
// 117 bits, drawn without modulo bias. Well inside the policy: 12 to 72 bytes.
export const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

type Random = (bytes: Uint8Array) => Uint8Array;
const cryptoRandom: Random = (bytes) => crypto.getRandomValues(bytes);

export function generatePassword(length = 20, random: Random = cryptoRandom): string {
  // Bytes at or above the largest multiple of the alphabet's size would favour its start.
  const limit = 256 - (256 % ALPHABET.length);
  let out = "";
  while (out.length < length) {
    for (const b of random(new Uint8Array(length * 2))) {
      if (b < limit && out.length < length) out += ALPHABET[b % ALPHABET.length];
    }
  }
  return out;
}
