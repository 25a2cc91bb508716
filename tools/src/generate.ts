import { SUBGRAPH_REGISTRY, REPOSITORY_ROOT } from './subgraph-registry';
import { staleWorkspaceFiles, writeWorkspaceFiles } from './workspace-files';

/** `npm run generate [-- --check]`: rewrites the files derived from the subgraph manifests, or checks they are current. */
function main(): void {
  if (process.argv.includes('--check')) {
    const stale = staleWorkspaceFiles(REPOSITORY_ROOT, SUBGRAPH_REGISTRY);
    if (stale.length) {
      process.stderr.write(`out of date with the subgraph manifests: ${stale.join(', ')}; run npm run generate\n`);
      process.exit(1);
    }
    process.stdout.write('workspace files are current\n');
    return;
  }
  const written = writeWorkspaceFiles(REPOSITORY_ROOT, SUBGRAPH_REGISTRY);
  process.stdout.write(written.length ? `wrote ${written.join(', ')}\n` : 'workspace files are current\n');
}

main();
