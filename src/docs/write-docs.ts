import { writeGeneratedFiles } from './generated-docs.js';

// `npm run docs:config`, from the repository root: rewrites .env.example and the README's generated tables.
const changed = writeGeneratedFiles(process.cwd());
process.stdout.write(changed.length ? `updated ${changed.join(', ')}\n` : 'generated docs already up to date\n');
