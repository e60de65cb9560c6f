/**
 * An ed25519 key pair for the test SSH servers. ssh2's generateKeyPairSync drops a leading zero
 * byte of the public key (about 1 key in 128), and the key it writes then fails to parse
 * ("Malformed OpenSSH private key"); such a pair is thrown away and another drawn, so a test
 * never depends on the luck of the draw.
 */
import ssh2 from 'ssh2';

const { utils } = ssh2;

export function generateHostKey(): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
}
