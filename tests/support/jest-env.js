// Every test process: no Apollo telemetry (it probes cloud metadata addresses), quiet logs.
process.env.APOLLO_TELEMETRY_DISABLED = '1';
process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'silent';
