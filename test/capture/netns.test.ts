// `sidecar-injector iptables` for real: in network namespaces of the test's own, with the real
// iptables-restore (nft and legacy), and real TCP connections showing where traffic lands.
//
// Topology: a "pod" namespace and a "peer" namespace joined by two veth pairs (10.250.n.0/30 and
// 10.250.n.4/30, plus fd00:250:n::/126 on the first). In the pod, small Node listeners stand in for Envoy
// (15001 outbound, 15006 inbound), the HBONE port (15008), the agent (15020) and the app (8080-8082);
// each answers with its own name and the local address, so a test sees where a connection landed. The
// peer listens on 9090-9092 and is the client for inbound traffic. The app's outbound connections come
// from an agent running as uid 1000; Envoy's from one running as uid 1337.
//
// What REDIRECT needs (why there is no route_localnet here): inbound, REDIRECT in nat PREROUTING rewrites
// the destination to the address of the interface the packet came in on (10.250.n.1), not to 127.0.0.1,
// so the packet is never a "martian" and route_localnet stays 0; the listener only has to accept that
// address, i.e. listen on 0.0.0.0 (a listener on 127.0.0.1 only would be missed). Outbound, REDIRECT in
// nat OUTPUT rewrites to 127.0.0.1 for a locally generated packet, which the kernel reroutes to lo;
// that needs the loopback interface up (a new namespace's lo is down; Topology brings it up) and a
// listener on 0.0.0.0 or 127.0.0.1. route_localnet would only matter for a DNAT to 127.0.0.1 from
// PREROUTING, which these rules never do.
//
// Runs only as root on Linux with ip and iptables (nft and legacy) installed; otherwise the whole suite
// is skipped, saying why. Namespaces are removed in after(), whatever happened.
import assert from 'node:assert/strict';
import { Agent, cannotRun, sh, Topology } from './netns-harness.ts';

const BACKENDS = ['nft', 'legacy'] as const;
const WHY_NOT = cannotRun(BACKENDS);

/** The args the sidecar template gives istio-init (capture-native drops the leading `istio-iptables`), with 8081 excluded. */
const INJECTED = [
  '-p',
  '15001',
  '-z',
  '15006',
  '-u',
  '1337',
  '-m',
  'REDIRECT',
  '-i',
  '*',
  '-x',
  '',
  '-b',
  '*',
  '-d',
  '15090,15021,8081,15020',
  '--log_output_level=default:info',
];

/** Someone else's rules in every table we touch: they must survive everything, and make "pristine" concrete. */
const FOREIGN = `*nat
:SI-FOREIGN - [0:0]
-A PREROUTING -p udp --dport 9999 -j RETURN
-A OUTPUT -p udp --dport 9999 -j RETURN
-A POSTROUTING -j SI-FOREIGN
-A SI-FOREIGN -p udp --dport 9998 -j RETURN
COMMIT
*mangle
-A PREROUTING -p udp --dport 9999 -j RETURN
-A OUTPUT -p udp --dport 9999 -j RETURN
COMMIT
*raw
-A PREROUTING -p udp --dport 9999 -j RETURN
-A OUTPUT -p udp --dport 9999 -j RETURN
COMMIT
*filter
-A INPUT -p udp --dport 9999 -j ACCEPT
COMMIT
`;

describe('capture in real network namespaces (root)', function () {
  this.timeout(120_000);

  before(function () {
    if (WHY_NOT) {
      console.log(`    [skipped] capture netns tests: ${WHY_NOT}`);
      this.skip();
    }
  });

  for (const backend of BACKENDS) {
    describe(`iptables-${backend}`, () => {
      const topo = new Topology();
      const agents: Agent[] = [];
      let peer: Agent; // inbound client (root, peer namespace)
      let app: Agent; // outbound client, uid 1000, pod namespace
      let proxy: Agent; // outbound client, uid 1337 (Envoy's), pod namespace
      let pristine = '';
      let pristine6 = '';

      before(async function () {
        try {
          await topo.create();
        } catch (e) {
          if (!/Operation not permitted|Permission denied/.test(String(e))) throw e;
          console.log(`    [skipped] capture netns tests: cannot create network namespaces here (${String(e).split('\n')[0]})`);
          this.skip();
        }
        // The node's other rules, written with this backend: our command must detect it from them.
        await sh(['ip', 'netns', 'exec', topo.pod, `iptables-${backend}-restore`, '--noflush'], { input: FOREIGN }).then((r) =>
          assert.equal(r.code, 0, r.stderr),
        );
        await sh(['ip', 'netns', 'exec', topo.pod, `ip6tables-${backend}-restore`, '--noflush'], { input: FOREIGN }).then((r) =>
          assert.equal(r.code, 0, r.stderr),
        );
        pristine = await topo.save(backend);
        pristine6 = await topo.save(backend, 6);
        const listen = (pairs: Array<[number, string]>): string[] => pairs.flatMap(([port, label]) => ['--listen', `${port}=${label}`]);
        agents.push(
          await Agent.start(
            topo.pod,
            'pod-listeners',
            listen([
              [15001, 'envoy-outbound'],
              [15006, 'envoy-inbound'],
              [15008, 'hbone'],
              [15020, 'agent'],
              [8080, 'app-8080'],
              [8081, 'app-8081'],
              [8082, 'app-8082'],
            ]),
          ),
        );
        peer = await Agent.start(
          topo.peer,
          'peer',
          listen([
            [9090, 'peer-9090'],
            [9091, 'peer-9091'],
            [9092, 'peer-9092'],
          ]),
        );
        agents.push(peer);
        app = await Agent.start(topo.pod, 'app', ['--uid', '1000', '--gid', '1000']);
        agents.push(app);
        proxy = await Agent.start(topo.pod, 'proxy', ['--uid', '1337', '--gid', '1337']);
        agents.push(proxy);
      });

      after(async () => {
        for (const a of agents) a.stop();
        await topo.destroy();
      });

      it(`applies istio-init's arguments with the backend the namespace already uses (${backend})`, async () => {
        assert.equal(await peer.landsOn(topo.podIP, 8080), `app-8080@${topo.podIP}`, 'before: straight to the app');
        const r = await topo.cli(INJECTED);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`^using iptables-${backend} \\(`));
        assert.match(r.stdout, /IPv4: applied 19 rules/);
      });

      it('sends inbound connections to app ports to Envoy inbound (15006)', async () => {
        assert.equal(await peer.landsOn(topo.podIP, 8080), `envoy-inbound@${topo.podIP}`);
        assert.equal(await peer.landsOn(topo.pod2IP, 8082), `envoy-inbound@${topo.pod2IP}`);
      });

      it('lets excluded inbound ports (-d) and the HBONE port 15008 reach their listeners directly', async () => {
        assert.equal(await peer.landsOn(topo.podIP, 8081), `app-8081@${topo.podIP}`);
        assert.equal(await peer.landsOn(topo.podIP, 15020), `agent@${topo.podIP}`);
        assert.equal(await peer.landsOn(topo.podIP, 15008), `hbone@${topo.podIP}`);
      });

      it("sends the app's outbound connections to Envoy outbound (15001)", async () => {
        assert.equal(await app.landsOn(topo.peerIP, 9090), 'envoy-outbound@127.0.0.1');
        assert.equal(await app.landsOn(topo.peer2IP, 9091), 'envoy-outbound@127.0.0.1');
      });

      it("does not redirect Envoy's own outbound connections (uid 1337): no loop", async () => {
        assert.equal(await proxy.landsOn(topo.peerIP, 9090), `peer-9090@${topo.peerIP}`);
        assert.equal(await proxy.landsOn(topo.peer2IP, 9091), `peer-9091@${topo.peer2IP}`);
      });

      it('leaves connections to localhost alone', async () => {
        assert.equal(await app.landsOn('127.0.0.1', 8082), 'app-8082@127.0.0.1');
      });

      it('changes nothing when applied twice: iptables-save is identical', async () => {
        const before = await topo.save(backend);
        const r = await topo.cli(INJECTED);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /rules already in place \(IPv4\); nothing to do/);
        assert.equal(await topo.save(backend), before);
      });

      it('refuses other settings over the rules in place (exit 1, nothing changed); --reconcile replaces them', async () => {
        const before = await topo.save(backend);
        const args = ['-i', '*', '-x', topo.net2, '-o', '9091', '-b', '*', '-d', '15020'];
        const refused = await topo.cli(args);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /rerun with --reconcile to replace them, or with --cleanup-only to remove them/);
        assert.equal(await topo.save(backend), before);
        const r = await topo.cli([...args, '--reconcile']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /--reconcile: replacing ISTIO_\* rules that differ/);
      });

      it('lets excluded CIDRs (-x) and excluded outbound ports (-o) go direct, and captures the rest', async () => {
        assert.equal(await app.landsOn(topo.peer2IP, 9090), `peer-9090@${topo.peer2IP}`, '-x');
        assert.equal(await app.landsOn(topo.peerIP, 9091), `peer-9091@${topo.peerIP}`, '-o');
        assert.equal(await app.landsOn(topo.peerIP, 9090), 'envoy-outbound@127.0.0.1');
      });

      it('captures only the included CIDRs (-i) and inbound ports (-b list)', async () => {
        const r = await topo.cli(['-i', topo.net1, '-b', '8080', '--reconcile']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await app.landsOn(topo.peerIP, 9090), 'envoy-outbound@127.0.0.1');
        assert.equal(await app.landsOn(topo.peer2IP, 9090), `peer-9090@${topo.peer2IP}`);
        assert.equal(await peer.landsOn(topo.podIP, 8080), `envoy-inbound@${topo.podIP}`);
        assert.equal(await peer.landsOn(topo.podIP, 8082), `app-8082@${topo.podIP}`);
      });

      it('captures only the included outbound ports (-q) when no CIDR is captured', async () => {
        const r = await topo.cli(['-q', '9092', '--reconcile']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await app.landsOn(topo.peer2IP, 9092), 'envoy-outbound@127.0.0.1');
        assert.equal(await app.landsOn(topo.peer2IP, 9090), `peer-9090@${topo.peer2IP}`);
        assert.equal(await peer.landsOn(topo.podIP, 8080), `app-8080@${topo.podIP}`, 'no inbound capture without -b');
      });

      it('captures IPv6 too in a dual-stack pod (--dual-stack writes ip6tables rules)', async function () {
        if (!topo.ipv6) {
          console.log('    [skipped] IPv6 capture: this kernel has IPv6 disabled');
          this.skip();
        }
        const r = await topo.cli([...INJECTED, '--dual-stack', '--reconcile']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /IPv6: applied/);
        assert.equal(await peer.landsOn(topo.podIP6, 8080), `envoy-inbound@${topo.podIP6}`);
        assert.equal(await peer.landsOn(topo.podIP6, 8081), `app-8081@${topo.podIP6}`);
        assert.equal(await app.landsOn(topo.peerIP6, 9090), 'envoy-outbound@::1');
        assert.equal(await proxy.landsOn(topo.peerIP6, 9090), `peer-9090@${topo.peerIP6}`);
        assert.equal(await peer.landsOn(topo.podIP, 8080), `envoy-inbound@${topo.podIP}`, 'IPv4 still captured');
      });

      it('--cleanup-only restores the namespace: iptables-save equals the pristine one, and traffic goes direct', async () => {
        const r = await topo.cli(['--cleanup-only']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await topo.save(backend), pristine);
        assert.equal(await topo.save(backend, 6), pristine6);
        assert.equal(await peer.landsOn(topo.podIP, 8080), `app-8080@${topo.podIP}`);
        assert.equal(await app.landsOn(topo.peerIP, 9090), `peer-9090@${topo.peerIP}`);
        const again = await topo.cli(['--cleanup-only']);
        assert.match(again.stdout, /IPv4: no ISTIO_\* chains or jumps to remove/);
      });

      it('works with a read-only /run, as under readOnlyRootFilesystem (legacy iptables takes a lock file there)', async () => {
        const r = await topo.cliReadOnlyRun(INJECTED);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /IPv4: applied 19 rules/);
        assert.equal(await peer.landsOn(topo.podIP, 8080), `envoy-inbound@${topo.podIP}`);
        const clean = await topo.cliReadOnlyRun(['--cleanup-only']);
        assert.equal(clean.code, 0, clean.stderr);
        assert.equal(await topo.save(backend), pristine);
      });

      it('recognises its own rules with every option in place (TPROXY, DNS, interfaces, owner groups): applying twice changes nothing', async () => {
        const args = [
          '-m',
          'TPROXY',
          '-i',
          '10.96.0.1/24',
          '-x',
          '10.1.2.3/16',
          '-b',
          '*',
          '-d',
          '15090,15021,15020',
          '-q',
          '3306',
          '-o',
          '25',
          '-k',
          'eth9',
          '-c',
          'net9',
          '--redirect-dns',
          '--capture-all-dns',
          '--drop-invalid',
        ];
        const env = { ISTIO_OUTBOUND_OWNER_GROUPS: '101,202' };
        const first = await topo.cli(args, env);
        assert.equal(first.code, 0, first.stderr);
        assert.match(first.stdout, /ip -4 rule add fwmark 1337 lookup 133/);
        const before = await topo.save(backend);
        const second = await topo.cli(args, env);
        assert.equal(second.code, 0, second.stderr);
        assert.match(second.stdout, /rules already in place/);
        assert.equal(await topo.save(backend), before);
        // Cleanup removes every ISTIO_ chain and jump; rules this mode adds to built-in chains that are not
        // jumps (TPROXY marks, -c/-k RETURNs) stay, as cleanup.ts says.
        const clean = await topo.cli(['--cleanup-only']);
        assert.equal(clean.code, 0, clean.stderr);
        assert.doesNotMatch(await topo.save(backend), /ISTIO_/);
      });
    });
  }
});
