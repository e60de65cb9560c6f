// A fleet of replay SSH devices in their own process, so the fan-out benchmark measures only
// the client's memory. Prints one JSON line {ports, hostPublicKey, username, password}; stops on stdin EOF.
import { ciscoLikeDevice, startReplayServer } from '../drivers/replay-server.js';

const count = Number(process.argv[2] ?? 200);
const BGP = `Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd
10.0.0.2        4        65002      26      27        9    0    0 00:20:06        7`;
const servers = await Promise.all(Array.from({ length: count }, (_, i) => startReplayServer(ciscoLikeDevice(`sim${i}`, { 'show ip bgp summary': BGP }))));
process.stdout.write(
  `${JSON.stringify({ ports: servers.map((s) => s.port), hostPublicKey: servers[0]!.hostPublicKey, username: 'admin', password: 'secret-1' })}\n`,
);
process.stdin.resume();
process.stdin.on('end', () => void Promise.all(servers.map((s) => s.close())).then(() => process.exit(0)));
