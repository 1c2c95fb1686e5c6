// Redis Cluster's slot of a key: which node a cluster client sends a command to, and what specs hold keys to.

/** CRC16-XMODEM, as Redis Cluster uses it (poly 0x1021, init 0). */
export const crc16 = (text: string): number => {
  let crc = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
};

/** Redis hashes only what is between the first '{' and the next '}', when that is not empty. */
export const keySlot = (key: string): number => {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return crc16(close > open + 1 ? key.slice(open + 1, close) : key) % 16384;
};
