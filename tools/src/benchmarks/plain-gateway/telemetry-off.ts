// Imported first by the entry, as in the project's gateway: @apollo/gateway otherwise probes cloud metadata
// addresses at start-up (FEDERATION-NOTES.md). An explicit setting in the environment still wins.
process.env['APOLLO_TELEMETRY_DISABLED'] ??= '1';
