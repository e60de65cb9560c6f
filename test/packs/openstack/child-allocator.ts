// Another process allocating from the same data directory, as `netreflex run` beside `serve` does.
//   child-allocator.ts <dataDir> <prefix> <count>   prints the VNIs it got as JSON
import { SecretCipher } from '../../../src/datastore/cipher.js';
import { KeyValueStore } from '../../../src/datastore/keyvalue.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import { VniPool } from '../../../packs/openstack/actions/lib/vni-pool.js';

const [dataDir, prefix, count] = process.argv.slice(2);
const store = openSqliteStore(dataDir!);
const pool = new VniPool(new KeyValueStore(store, SecretCipher.loadOrCreate(dataDir!)), { first: 8000, last: 8059 });
const got = await Promise.all(Array.from({ length: Number(count) }, (_, i) => pool.allocate(`${prefix}-${i}`)));
process.stdout.write(JSON.stringify(got.map((o) => o.vni)));
await store.close();
