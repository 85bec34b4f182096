// For every rule and engine: a change that triggers the rule and a close one that does not.
import type { EngineName } from "../../src/engines/engine.ts";

export interface RuleCase {
  rule: string;
  engines: EngineName[];
  triggers: string[];
  passes: string[];
}

const BOTH: EngineName[] = ["mysql", "postgres"];
const MYSQL: EngineName[] = ["mysql"];
const PG: EngineName[] = ["postgres"];

export const ruleCases: RuleCase[] = [
  { rule: "engine.mysql.innodb", engines: MYSQL, triggers: ["CREATE TABLE t (id INT PRIMARY KEY) ENGINE=MyISAM"], passes: ["CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB"] },
  { rule: "engine.mysql.innodb", engines: MYSQL, triggers: ["ALTER TABLE t ENGINE=MyISAM"], passes: ["ALTER TABLE t ENGINE=InnoDB"] },

  { rule: "naming.table", engines: BOTH, triggers: ["CREATE TABLE UserAccounts (id INT PRIMARY KEY)"], passes: ["CREATE TABLE user_accounts (id INT PRIMARY KEY)"] },
  { rule: "naming.table", engines: MYSQL, triggers: ["RENAME TABLE a TO BadName"], passes: ["RENAME TABLE a TO good_name"] },
  { rule: "naming.column", engines: BOTH, triggers: ["ALTER TABLE t ADD COLUMN CamelCase INT"], passes: ["ALTER TABLE t ADD COLUMN snake_case INT"] },
  { rule: "naming.index", engines: BOTH, triggers: ["CREATE INDEX t_a ON t (a)"], passes: ["CREATE INDEX idx_t_a ON t (a)"] },
  { rule: "naming.index", engines: MYSQL, triggers: ["ALTER TABLE t ADD INDEX a_index (a)"], passes: ["ALTER TABLE t ADD INDEX idx_a (a)"] },
  { rule: "naming.unique", engines: BOTH, triggers: ["CREATE UNIQUE INDEX idx_t_a ON t (a)"], passes: ["CREATE UNIQUE INDEX uk_t_a ON t (a)"] },
  { rule: "naming.unique", engines: BOTH, triggers: ["ALTER TABLE t ADD CONSTRAINT email_unique UNIQUE (email)"], passes: ["ALTER TABLE t ADD CONSTRAINT uk_email UNIQUE (email)"] },
  { rule: "naming.foreign-key", engines: BOTH, triggers: ["ALTER TABLE t ADD CONSTRAINT t_u FOREIGN KEY (u_id) REFERENCES u (id)"], passes: ["ALTER TABLE t ADD CONSTRAINT fk_t_u FOREIGN KEY (u_id) REFERENCES u (id)"] },
  { rule: "naming.identifier.length", engines: BOTH, triggers: [`CREATE TABLE t (${"c".repeat(70)} INT, id INT PRIMARY KEY)`], passes: [`CREATE TABLE t (${"c".repeat(60)} INT, id INT PRIMARY KEY)`] },

  { rule: "statement.parse", engines: BOTH, triggers: ["UPDATE t SET WHERE"], passes: ["UPDATE t SET a = 1 WHERE id = 1"] },
  { rule: "statement.where.require", engines: BOTH, triggers: ["UPDATE t SET a = 1"], passes: ["UPDATE t SET a = 1 WHERE id = 2"] },
  { rule: "statement.where.require", engines: BOTH, triggers: ["DELETE FROM t"], passes: ["DELETE FROM t WHERE id = 2"] },
  { rule: "statement.where.no-tautology", engines: BOTH, triggers: ["DELETE FROM t WHERE 1 = 1"], passes: ["DELETE FROM t WHERE id = 1"] },
  { rule: "statement.select.no-star", engines: BOTH, triggers: ["INSERT INTO t (a, b) SELECT * FROM u"], passes: ["INSERT INTO t (a, b) SELECT a, b FROM u"] },
  { rule: "statement.insert.column-list", engines: BOTH, triggers: ["INSERT INTO t VALUES (1, 2)"], passes: ["INSERT INTO t (a, b) VALUES (1, 2)"] },
  { rule: "statement.insert.max-rows", engines: BOTH, triggers: [`INSERT INTO t (a) VALUES ${Array.from({ length: 1001 }, (_, i) => `(${i})`).join(", ")}`], passes: [`INSERT INTO t (a) VALUES ${Array.from({ length: 1000 }, (_, i) => `(${i})`).join(", ")}`] },
  { rule: "statement.where.max-in-list", engines: BOTH, triggers: [`DELETE FROM t WHERE id IN (${Array.from({ length: 1001 }, (_, i) => i).join(", ")})`], passes: [`DELETE FROM t WHERE id IN (${Array.from({ length: 1000 }, (_, i) => i).join(", ")})`] },
  { rule: "statement.where.no-leading-wildcard", engines: BOTH, triggers: ["UPDATE t SET a = 1 WHERE name LIKE '%smith'"], passes: ["UPDATE t SET a = 1 WHERE name LIKE 'smith%'"] },
  { rule: "statement.order-by-random", engines: MYSQL, triggers: ["INSERT INTO t (a) SELECT a FROM u ORDER BY RAND() LIMIT 10"], passes: ["INSERT INTO t (a) SELECT a FROM u ORDER BY id LIMIT 10"] },
  { rule: "statement.order-by-random", engines: PG, triggers: ["INSERT INTO t (a) SELECT a FROM u ORDER BY random() LIMIT 10"], passes: ["INSERT INTO t (a) SELECT a FROM u ORDER BY id LIMIT 10"] },
  { rule: "statement.dml.no-limit", engines: MYSQL, triggers: ["DELETE FROM t WHERE a = 1 LIMIT 100"], passes: ["DELETE FROM t WHERE a = 1"] },
  { rule: "statement.dml.no-order-by", engines: MYSQL, triggers: ["UPDATE t SET a = 1 WHERE b = 2 ORDER BY id"], passes: ["UPDATE t SET a = 1 WHERE b = 2"] },
  { rule: "statement.transaction.no-control", engines: BOTH, triggers: ["UPDATE t SET a = 1 WHERE id = 1", "COMMIT"], passes: ["UPDATE t SET a = 1 WHERE id = 1"] },
  { rule: "statement.transaction.no-control", engines: BOTH, triggers: ["BEGIN"], passes: ["SELECT 1"] },
  { rule: "statement.lock-tables", engines: MYSQL, triggers: ["LOCK TABLES t WRITE"], passes: ["SELECT a FROM t WHERE id = 1 FOR UPDATE"] },
  { rule: "statement.lock-tables", engines: PG, triggers: ["LOCK TABLE t IN ACCESS EXCLUSIVE MODE"], passes: ["SELECT a FROM t WHERE id = 1"] },
  { rule: "statement.grant", engines: MYSQL, triggers: ["GRANT SELECT ON app.* TO 'reader'@'%'"], passes: ["SELECT 1"] },
  { rule: "statement.grant", engines: BOTH, triggers: ["REVOKE SELECT ON t FROM reader"], passes: ["SELECT 1"] },
  { rule: "statement.grant", engines: PG, triggers: ["GRANT SELECT ON t TO reader"], passes: ["SELECT 1"] },
  { rule: "statement.account", engines: MYSQL, triggers: ["CREATE USER 'app'@'%' IDENTIFIED BY 'secret'"], passes: ["SELECT 1"] },
  { rule: "statement.account", engines: PG, triggers: ["CREATE ROLE app LOGIN"], passes: ["SELECT 1"] },
  { rule: "statement.account", engines: BOTH, triggers: ["DROP USER app"], passes: ["DROP TABLE app"] },
  { rule: "statement.ddl-dml.mixed", engines: BOTH, triggers: ["ALTER TABLE t ADD COLUMN c INT", "UPDATE t SET c = 1 WHERE id = 1"], passes: ["ALTER TABLE t ADD COLUMN c INT", "ALTER TABLE t ADD COLUMN d INT"] },
  { rule: "statement.max-count", engines: BOTH, triggers: Array.from({ length: 101 }, (_, i) => `UPDATE t SET a = ${i} WHERE id = ${i}`), passes: Array.from({ length: 100 }, (_, i) => `UPDATE t SET a = ${i} WHERE id = ${i}`) },
  { rule: "statement.alter.merge", engines: BOTH, triggers: ["ALTER TABLE t ADD COLUMN a INT", "ALTER TABLE t ADD COLUMN b INT"], passes: ["ALTER TABLE t ADD COLUMN a INT", "ALTER TABLE u ADD COLUMN b INT"] },

  { rule: "table.primary-key.require", engines: BOTH, triggers: ["CREATE TABLE t (a INT, b INT)"], passes: ["CREATE TABLE t (a INT, b INT, PRIMARY KEY (a))"] },
  { rule: "table.primary-key.require", engines: BOTH, triggers: ["CREATE TABLE t (a INT)"], passes: ["CREATE TABLE t (a INT PRIMARY KEY)"] },
  { rule: "table.foreign-key.disallow", engines: BOTH, triggers: ["CREATE TABLE t (id INT PRIMARY KEY, u_id INT, CONSTRAINT fk_u FOREIGN KEY (u_id) REFERENCES u (id))"], passes: ["CREATE TABLE t (id INT PRIMARY KEY, u_id INT)"] },
  { rule: "table.foreign-key.disallow", engines: PG, triggers: ["CREATE TABLE t (id INT PRIMARY KEY, u_id INT REFERENCES u (id))"], passes: ["CREATE TABLE t (id INT PRIMARY KEY, u_id INT)"] },
  { rule: "table.comment.require", engines: MYSQL, triggers: ["CREATE TABLE t (id INT PRIMARY KEY)"], passes: ["CREATE TABLE t (id INT PRIMARY KEY) COMMENT = 'orders'"] },
  { rule: "table.rename", engines: BOTH, triggers: ["ALTER TABLE t RENAME TO u"], passes: ["ALTER TABLE t ADD COLUMN c INT"] },
  { rule: "table.rename", engines: MYSQL, triggers: ["RENAME TABLE t TO u"], passes: ["ALTER TABLE t ADD COLUMN c INT"] },
  { rule: "table.drop", engines: BOTH, triggers: ["DROP TABLE t"], passes: ["DROP VIEW v"] },
  { rule: "table.truncate", engines: BOTH, triggers: ["TRUNCATE TABLE t"], passes: ["DELETE FROM t WHERE id = 1"] },
  { rule: "table.charset", engines: MYSQL, triggers: ["CREATE TABLE t (id INT PRIMARY KEY) DEFAULT CHARSET=latin1"], passes: ["CREATE TABLE t (id INT PRIMARY KEY) DEFAULT CHARSET=utf8mb4"] },
  { rule: "table.charset", engines: MYSQL, triggers: ["CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(10) CHARACTER SET latin1)"], passes: ["CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(10) CHARACTER SET utf8mb4)"] },
  { rule: "table.charset", engines: MYSQL, triggers: ["ALTER TABLE t CONVERT TO CHARACTER SET utf8"], passes: ["ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4"] },
  { rule: "table.collation", engines: MYSQL, triggers: ["CREATE TABLE t (id INT PRIMARY KEY) COLLATE=latin1_swedish_ci"], passes: ["CREATE TABLE t (id INT PRIMARY KEY) COLLATE=utf8mb4_unicode_ci"] },
  { rule: "table.collation", engines: MYSQL, triggers: ["CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(5) COLLATE latin1_bin)"], passes: ["CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(5) COLLATE utf8mb4_bin)"] },
  { rule: "table.mysql.online-ddl", engines: MYSQL, triggers: ["ALTER TABLE t ADD COLUMN c INT, ALGORITHM=COPY"], passes: ["ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT"] },
  { rule: "table.mysql.online-ddl", engines: MYSQL, triggers: ["ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, b)"], passes: ["ALTER TABLE t ADD INDEX idx_b (b)"] },
  { rule: "table.mysql.online-ddl", engines: MYSQL, triggers: ["ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4"], passes: ["CREATE TABLE t (id INT PRIMARY KEY)", "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4"] },
  { rule: "table.mysql.online-ddl", engines: MYSQL, triggers: ["ALTER TABLE t ADD INDEX idx_b (b), LOCK=EXCLUSIVE"], passes: ["ALTER TABLE t ADD INDEX idx_b (b), LOCK=NONE"] },
  { rule: "table.pg.foreign-key-not-valid", engines: PG, triggers: ["ALTER TABLE t ADD CONSTRAINT fk_u FOREIGN KEY (u_id) REFERENCES u (id)"], passes: ["ALTER TABLE t ADD CONSTRAINT fk_u FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID"] },
  { rule: "table.pg.foreign-key-not-valid", engines: PG, triggers: ["ALTER TABLE ONLY t ADD CONSTRAINT fk_u FOREIGN KEY (u_id) REFERENCES u (id)"], passes: ["CREATE TABLE t (id INT PRIMARY KEY, u_id INT)", "ALTER TABLE t ADD CONSTRAINT fk_u FOREIGN KEY (u_id) REFERENCES u (id)"] },
  { rule: "table.pg.check-not-valid", engines: PG, triggers: ["ALTER TABLE t ADD CONSTRAINT ck_a CHECK (a > 0)"], passes: ["ALTER TABLE t ADD CONSTRAINT ck_a CHECK (a > 0) NOT VALID"] },
  { rule: "table.required-columns", engines: BOTH, triggers: ["CREATE TABLE t (id INT PRIMARY KEY)"], passes: ["CREATE TABLE t (id INT PRIMARY KEY, created_at DATE)"] },

  { rule: "column.drop", engines: BOTH, triggers: ["ALTER TABLE t DROP COLUMN c"], passes: ["ALTER TABLE t ADD COLUMN c INT"] },
  { rule: "column.rename", engines: BOTH, triggers: ["ALTER TABLE t RENAME COLUMN a TO b"], passes: ["ALTER TABLE t ADD COLUMN b INT"] },
  { rule: "column.rename", engines: MYSQL, triggers: ["ALTER TABLE t CHANGE a b INT"], passes: ["ALTER TABLE t CHANGE a a BIGINT"] },
  { rule: "column.not-null-without-default", engines: BOTH, triggers: ["ALTER TABLE t ADD COLUMN c INT NOT NULL"], passes: ["ALTER TABLE t ADD COLUMN c INT NOT NULL DEFAULT 0"] },
  { rule: "column.not-null-without-default", engines: BOTH, triggers: ["ALTER TABLE t ADD COLUMN c INT NOT NULL"], passes: ["CREATE TABLE t (id INT PRIMARY KEY)", "ALTER TABLE t ADD COLUMN c INT NOT NULL"] },
  { rule: "column.type-change", engines: MYSQL, triggers: ["ALTER TABLE t MODIFY c BIGINT"], passes: ["ALTER TABLE t ADD COLUMN c BIGINT"] },
  { rule: "column.type-change", engines: MYSQL, triggers: ["ALTER TABLE t CHANGE c c VARCHAR(10)"], passes: ["ALTER TABLE t DROP INDEX idx_c"] },
  { rule: "column.type-change", engines: PG, triggers: ["ALTER TABLE t ALTER COLUMN c TYPE bigint"], passes: ["ALTER TABLE t ALTER COLUMN c SET DEFAULT 0"] },
  { rule: "column.default.require", engines: BOTH, triggers: ["CREATE TABLE t (id INT PRIMARY KEY, a INT NOT NULL)"], passes: ["CREATE TABLE t (id INT PRIMARY KEY, a INT NOT NULL DEFAULT 0)"] },
  { rule: "column.comment.require", engines: MYSQL, triggers: ["ALTER TABLE t ADD COLUMN c INT"], passes: ["ALTER TABLE t ADD COLUMN c INT COMMENT 'count'"] },
  { rule: "column.auto-increment.unsigned-integer", engines: MYSQL, triggers: ["CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY)"], passes: ["CREATE TABLE t (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY)"] },
  { rule: "column.on-update-current-timestamp", engines: MYSQL, triggers: ["CREATE TABLE t (id INT PRIMARY KEY, a TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, b TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)"], passes: ["CREATE TABLE t (id INT PRIMARY KEY, a TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, b TIMESTAMP)"] },
  { rule: "column.pg.set-not-null", engines: PG, triggers: ["ALTER TABLE t ALTER COLUMN c SET NOT NULL"], passes: ["ALTER TABLE t ALTER COLUMN c DROP NOT NULL"] },
  { rule: "column.pg.volatile-default", engines: PG, triggers: ["ALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid()"], passes: ["ALTER TABLE t ADD COLUMN created timestamptz DEFAULT now()"] },
  { rule: "column.pg.volatile-default", engines: PG, triggers: ["ALTER TABLE t ADD COLUMN n serial"], passes: ["ALTER TABLE t ADD COLUMN n int DEFAULT 0"] },
  { rule: "column.pg.timestamp-with-time-zone", engines: PG, triggers: ["ALTER TABLE t ADD COLUMN seen timestamp"], passes: ["ALTER TABLE t ADD COLUMN seen timestamptz"] },
  { rule: "column.pg.prefer-text", engines: PG, triggers: ["ALTER TABLE t ADD COLUMN name varchar(50)"], passes: ["ALTER TABLE t ADD COLUMN name text"] },
  { rule: "column.pg.prefer-identity", engines: PG, triggers: ["CREATE TABLE t (id bigserial PRIMARY KEY)"], passes: ["CREATE TABLE t (id bigint PRIMARY KEY)"] },
  { rule: "column.pg.prefer-jsonb", engines: PG, triggers: ["ALTER TABLE t ADD COLUMN doc json"], passes: ["ALTER TABLE t ADD COLUMN doc jsonb"] },

  { rule: "index.pg.create-concurrently", engines: PG, triggers: ["CREATE INDEX idx_a ON t (a)"], passes: ["CREATE INDEX CONCURRENTLY idx_a ON t (a)"] },
  { rule: "index.pg.create-concurrently", engines: PG, triggers: ["CREATE INDEX idx_a ON t (a)"], passes: ["CREATE TABLE t (id int PRIMARY KEY, a int)", "CREATE INDEX idx_a ON t (a)"] },
  { rule: "index.duplicate", engines: BOTH, triggers: ["CREATE TABLE t (id INT PRIMARY KEY, a INT, UNIQUE (a), CONSTRAINT uk_b UNIQUE (a))"], passes: ["CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, UNIQUE (a), CONSTRAINT uk_b UNIQUE (b))"] },
  { rule: "index.duplicate", engines: MYSQL, triggers: ["ALTER TABLE t ADD INDEX idx_a (a), ADD INDEX idx_a2 (a)"], passes: ["ALTER TABLE t ADD INDEX idx_a (a), ADD INDEX idx_ab (a, b)"] },
  { rule: "index.max-columns", engines: BOTH, triggers: ["CREATE INDEX idx_w ON t (a, b, c, d, e, f)"], passes: ["CREATE INDEX idx_w ON t (a, b, c, d, e)"] },
  { rule: "index.drop", engines: MYSQL, triggers: ["DROP INDEX idx_a ON t"], passes: ["CREATE INDEX idx_a ON t (a)"] },
  { rule: "index.drop", engines: MYSQL, triggers: ["ALTER TABLE t DROP INDEX idx_a"], passes: ["ALTER TABLE t DROP COLUMN a"] },
  { rule: "index.drop", engines: PG, triggers: ["DROP INDEX idx_a"], passes: ["DROP TABLE t"] },

  { rule: "schema.drop", engines: BOTH, triggers: ["DROP DATABASE app"], passes: ["DROP TABLE app"] },
  { rule: "schema.drop", engines: PG, triggers: ["DROP SCHEMA reporting CASCADE"], passes: ["CREATE SCHEMA reporting"] },
  { rule: "schema.create-database", engines: BOTH, triggers: ["CREATE DATABASE app"], passes: ["CREATE TABLE app (id INT PRIMARY KEY)"] },

  { rule: "system.dangerous-setting", engines: MYSQL, triggers: ["SET FOREIGN_KEY_CHECKS = 0"], passes: ["SET @batch = 0"] },
  { rule: "system.dangerous-setting", engines: PG, triggers: ["SET session_replication_role = replica"], passes: ["SET statement_timeout = 1000"] },
  { rule: "system.routine", engines: MYSQL, triggers: ["CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1"], passes: ["DROP TRIGGER IF EXISTS trg"] },
  { rule: "system.routine", engines: PG, triggers: ["CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql"], passes: ["DROP FUNCTION IF EXISTS f()"] },
  { rule: "system.pg.vacuum-full", engines: PG, triggers: ["VACUUM FULL t"], passes: ["VACUUM ANALYZE t"] },
  { rule: "system.mysql.optimize-table", engines: MYSQL, triggers: ["OPTIMIZE TABLE t"], passes: ["ANALYZE TABLE t"] },
  { rule: "system.pg.extension", engines: PG, triggers: ["CREATE EXTENSION IF NOT EXISTS pgcrypto"], passes: ["CREATE SCHEMA ext"] },
];
