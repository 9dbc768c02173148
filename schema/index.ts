export * from './tables';
export { openDatabase, type Database, type DatabaseHandle, type Listen } from './db';
export { migrateDatabase } from './migrate';
export { prepareDatabase } from './prepare';
