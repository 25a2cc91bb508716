import { parseArgs } from 'node:util';
import { isPurpose, isStaffRole, mintDevelopmentToken, PURPOSES, STAFF_ROLES } from '@icg/shared';
import { DEFAULT_SEED, findStaff, generateOrg, identityOfStaff } from '@icg/synthetic';
import { developmentTokenSecret } from './development-token-secret';

const USAGE = `Usage: npm run token -- --role <ROLE> [--staff <id>] [--purpose <PURPOSE>] [--ttl <seconds>] [--seed <S>]
  Mints a development bearer token for a real staff member of the seeded company.
  ROLE:    ${STAFF_ROLES.join(', ')}
  PURPOSE: ${PURPOSES.join(', ')} (clear RESTRICTED values need one; auditors need one for anything above INTERNAL)
  The token goes to stdout, who it stands for to stderr:
    curl -H "authorization: Bearer $(npm run -s token -- --role CUSTOMER_MANAGER)" …`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    values = parseArgs({
      options: {
        role: { type: 'string' },
        staff: { type: 'string' },
        purpose: { type: 'string' },
        ttl: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.role || !isStaffRole(values.role)) fail(`--role must be one of ${STAFF_ROLES.join(', ')}`);
  if (values.purpose !== undefined && !isPurpose(values.purpose)) fail(`--purpose must be one of ${PURPOSES.join(', ')}`);
  if (values.ttl !== undefined && !/^\d+$/.test(values.ttl)) fail('--ttl must be a whole number of seconds');
  if (values.seed !== undefined && !/^\d+$/.test(values.seed)) fail('--seed must be a whole number');
  const secret = developmentTokenSecret();
  if (secret === undefined) fail('A JWKS is configured (AUTH_JWKS_PATH or AUTH_JWKS_URL): tokens come from your identity provider');
  let staff;
  try {
    staff = findStaff(generateOrg(values.seed ? Number(values.seed) : DEFAULT_SEED), values.role, values.staff);
  } catch (error) {
    fail((error as Error).message);
  }
  const identity = identityOfStaff(staff, values.purpose && isPurpose(values.purpose) ? values.purpose : null);
  const token = await mintDevelopmentToken({ secret, identity, ttlSeconds: values.ttl ? Number(values.ttl) : 3600 });
  process.stderr.write(
    `${identity.role} staff ${identity.staffId} (${staff.staffNo}), branch ${identity.branchPath}${identity.grade ? `, grade ${identity.grade}` : ''}${identity.purpose ? `, purpose ${identity.purpose}` : ''}\n`,
  );
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`token failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
