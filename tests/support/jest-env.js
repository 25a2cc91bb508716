// Every test process: no Apollo telemetry (it probes cloud metadata addresses), quiet logs.
process.env.APOLLO_TELEMETRY_DISABLED = '1';
process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'silent';
// Processes the tests spawn serve alone unless a test asks for workers (tests/worker-processes.test.ts).
process.env.WORKERS = process.env.WORKERS || '1';
