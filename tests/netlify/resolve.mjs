// Print the configuration Netlify's build would use for the site in argv[2], as JSON;
// argv[3], when given, is the site's package directory (a second site of one repository).
// Offline and without a token: nothing is asked of Netlify's API.
import { resolveConfig } from '@netlify/config'

const site = process.argv[2]
const result = await resolveConfig({
  cwd: site,
  repositoryRoot: site,
  offline: true,
  mode: 'cli',
  env: {},
  buffer: true,
  ...(process.argv[3] ? { packagePath: process.argv[3] } : {}),
})
process.stdout.write(
  JSON.stringify({
    config: result.config,
    headersPath: result.headersPath,
    logs: result.logs,
  }),
)
