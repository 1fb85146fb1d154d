package io.tangle.microvm.store;

import java.util.List;

/**
 * One step of the schema. A migration is applied once, in its own transaction, and never changed
 * after a release. A later change to the schema is a new migration.
 *
 * @param version the schema version after this step, counting up from 1
 * @param description what the step adds, for logs and errors
 * @param statements the SQL statements, run in order
 */
record Migration(int version, String description, List<String> statements) {

    Migration {
        if (version < 1) {
            throw new IllegalArgumentException("migration version < 1: " + version);
        }
        statements = List.copyOf(statements);
    }
}
