/**
 * Event settings where the graph is deployed: docker-compose.yml (generated) hands each subgraph's service
 * key to that subgraph alone, the producers' public keys to their receivers and the receivers' URLs to
 * their producers; `npm run compose:env` makes the key pairs, and a subgraph started with them accepts
 * them. Every producer and consumer the catalog names is a subgraph of the graph.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EVENT_TYPES, eventPeersOf, EnvReader, loadServiceKeys, readEventsConfig, type EventCatalog } from '@icg/shared';
import { SUBGRAPH_REGISTRY } from '@icg/tools';
import { completeServiceKeys, servicePrivateKeyEnvVariable } from '../tools/src/service-key-env';

interface ComposeService {
  environment?: Record<string, string>;
}
const services = (parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> })
  .services;
const SUBGRAPHS = SUBGRAPH_REGISTRY.map(({ manifest }) => manifest);

describe('the event catalog and the graph', () => {
  it('names only subgraphs of the graph as producers and consumers', () => {
    const names = SUBGRAPHS.map(({ name }) => name);
    for (const definition of Object.values(EVENT_TYPES as EventCatalog)) {
      expect(names).toContain(definition.producer);
      for (const consumer of definition.consumers) expect(names).toContain(consumer);
    }
  });

  it('has a handler in each consuming subgraph for each type it receives, or leaves the events waiting at the producer', () => {
    // Not a requirement while workflows are being built (events wait in the outbox); a handler for a type it does not receive is one.
    for (const manifest of SUBGRAPHS) {
      const { consumedTypes } = eventPeersOf(EVENT_TYPES, manifest.name);
      for (const type of Object.keys(manifest.eventHandlers ?? {})) expect(consumedTypes).toContain(type);
    }
  });
});

describe('docker-compose.yml', () => {
  it("gives each subgraph its own service key and nobody else's", () => {
    for (const { name } of SUBGRAPHS) {
      expect(services[name]!.environment?.['SERVICE_PRIVATE_KEY']).toBe(`\${${servicePrivateKeyEnvVariable(name)}:?run npm run compose:env first}`);
      for (const [serviceName, service] of Object.entries(services)) {
        if (serviceName !== name) expect(JSON.stringify(service.environment ?? {})).not.toContain(servicePrivateKeyEnvVariable(name));
      }
    }
  });

  it('gives each subgraph the public keys of the producers it receives from, and the URLs of the consumers it sends to', () => {
    for (const { name } of SUBGRAPHS) {
      const environment = services[name]!.environment ?? {};
      const { consumers, producers } = eventPeersOf(EVENT_TYPES, name);
      for (const producer of producers) {
        const variable = `${producer.toUpperCase().replace(/-/g, '_')}_SERVICE_PUBLIC_KEY`;
        expect(environment[variable]).toBe(`\${${variable}:?run npm run compose:env first}`);
      }
      for (const consumer of consumers) {
        const port = SUBGRAPHS.find((subgraph) => subgraph.name === consumer)!.defaultPort;
        expect(environment[`${consumer.toUpperCase().replace(/-/g, '_')}_EVENTS_URL`]).toBe(`http://${consumer}:${port}/events`);
      }
    }
    expect(JSON.stringify(services['gateway']!.environment)).not.toMatch(/SERVICE_(PRIVATE|PUBLIC)_KEY/);
  });
});

describe('npm run compose:env: the service key pairs', () => {
  const names = SUBGRAPHS.map(({ name }) => name);
  /** As docker compose reads `.env`: NAME='value' taken literally. */
  const valuesOf = (envFile: string) =>
    Object.fromEntries(
      envFile
        .split('\n')
        .map((line) => /^([A-Z_0-9]+)='(.*)'$/.exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => [match[1]!, match[2]!]),
    );

  it('writes one matching pair per subgraph, each different, and the subgraphs accept them from the environment', () => {
    const { content, added } = completeServiceKeys('', names);
    expect(added).toHaveLength(2 * names.length);
    const values = valuesOf(content);
    const privateKeys = names.map((name) => values[servicePrivateKeyEnvVariable(name)]!.replace(/\\n/g, '\n'));
    expect(new Set(privateKeys).size).toBe(names.length);
    for (const [index, name] of names.entries()) {
      const derived = createPublicKey(createPrivateKey(privateKeys[index]!)).export({ type: 'spki', format: 'pem' }).toString();
      expect(values[`${name.toUpperCase().replace(/-/g, '_')}_SERVICE_PUBLIC_KEY`]!.replace(/\\n/g, '\n')).toBe(derived.trim());
    }
    // policies, configured as compose configures it, reads its key and the customers public key.
    const environment = Object.fromEntries(
      Object.entries(services['policies']!.environment ?? {}).map(([variable, value]) => [
        variable,
        value.replace(/^\$\{([A-Z_0-9]+):\?[^}]*\}$/, (_, name: string) => values[name]!),
      ]),
    );
    const config = readEventsConfig(new EnvReader(environment), 'policies', '/nonexistent', EVENT_TYPES);
    expect(config.keys.kind).toBe('env');
    expect(loadServiceKeys(config.keys, 'policies').peerKey('customers')).toBeDefined();
  });

  it('keeps the pairs already there and only adds what is missing', () => {
    const { content } = completeServiceKeys('', names);
    expect(completeServiceKeys(content, names)).toEqual({ content, added: [] });
    const withoutPublic = content
      .split('\n')
      .filter((line) => !line.startsWith('CLAIMS_SERVICE_PUBLIC_KEY='))
      .join('\n');
    const completed = completeServiceKeys(withoutPublic, names);
    expect(completed.added).toEqual(['CLAIMS_SERVICE_PUBLIC_KEY']);
    expect(valuesOf(completed.content)['CLAIMS_SERVICE_PUBLIC_KEY']).toBe(valuesOf(content)['CLAIMS_SERVICE_PUBLIC_KEY']);
  });
});
