export * from './tables';
export { openDatabase, type Database, type DatabaseHandle } from './db';
export { migrateDatabase } from './migrate';
export { prepareDatabase } from './prepare';
