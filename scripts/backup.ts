/* npm run backup -- DIR: a consistent copy of a running MediaGen (database snapshot, then DATA_DIR's files). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BackupError,
  backupDataDir,
  pgDumpCommand,
  pgRestoreCommand,
  redactUrl,
  resolveDataPaths,
} from '../apps/server/src/adapters/store/data-dir-backup.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

async function main(): Promise<number> {
  const dest = process.argv[2];
  if (!dest || dest.startsWith('-')) {
    console.error('usage: npm run backup -- DIR   (DATA_DIR and DATABASE_URL are read as `npm start` reads them)');
    return 2;
  }
  const paths = resolveDataPaths(process.env);
  const started = Date.now();
  const manifest = await backupDataDir({ paths, dest, version });
  const where = path.resolve(dest);
  if (manifest.database.kind === 'sqlite') {
    const db = manifest.database;
    console.log(
      `database: ${db.file}, ${(db.bytes / 1e6).toFixed(1)} MB, schema v${db.schemaVersion}, sha256 ${db.sha256}`,
    );
  } else if (manifest.database.dump) {
    const dump = manifest.database.dump;
    console.log(`database: PostgreSQL dump ${dump.file}, ${(dump.bytes / 1e6).toFixed(1)} MB, sha256 ${dump.sha256}`);
  } else if (paths.database.kind === 'postgres') {
    console.log(`database: PostgreSQL (${redactUrl(paths.database.url)}) is not copied by this script. Dump it now:`);
    console.log(`  mkdir -p "${path.join(where, 'database')}" && ${pgDumpCommand(where)}`);
    console.log('(next time run that line first, into the empty backup folder, then this script: the files copied');
    console.log(" after the dump then cover every row in it, and backup.json records the dump's checksum)");
    console.log(`Restore the dump with:\n  ${pgRestoreCommand(where)}`);
  }
  console.log(`files: ${manifest.files.count}, ${(manifest.files.bytes / 1e6).toFixed(1)} MB from ${paths.dataDir}`);
  if (manifest.vanished.length > 0) console.log(`deleted while copying (skipped): ${manifest.vanished.length}`);
  console.log(`backup written to ${where} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof BackupError ? `backup failed: ${err.message}` : err);
    process.exit(1);
  },
);
