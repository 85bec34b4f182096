// What a statement for database db_test may reach, as each engine reads it (Engine.outsideDatabase): the attacks of
// issue #20 §2 and #21 and their variants are refused with the name they reach; ordinary SQL for db_test passes.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { engineFor } from "../../src/engines/index.ts";

const DATABASE = "db_test";

/** Statements refused, with a pattern their reason must match. */
const mysqlRefused: Array<[string, RegExp]> = [
  ["UPDATE db_prod.scratch SET x = 666 WHERE id = 2", /`db_prod\.scratch` names database `db_prod`/],
  ["ALTER TABLE db_prod.t1 ADD COLUMN pwned int", /`db_prod\.t1` names database `db_prod`/],
  ["SELECT * FROM db_prod.t1", /db_prod/],
  ["SELECT * FROM mysql.user", /`mysql\.user` names database `mysql`/],
  ["SELECT * FROM mysql.column_stats", /mysql/],
  ["USE db_prod", /`USE` switches to another database/],
  ["UPDATE `db_prod`.`scratch` SET x = 1", /db_prod/],
  ["UPDATE db_prod /* x */ . /* y */ scratch SET x = 1", /db_prod/],
  ["UPDATE db_prod\n.\nscratch SET x = 1", /db_prod/],
  ["UPDATE db_prod . scratch SET x = 1", /db_prod/],
  ["UPDATE db_prod.scratch -- comment\nSET x = 1", /db_prod/],
  ["INSERT INTO t1 SELECT * FROM db_prod.t1", /db_prod/],
  ["INSERT INTO db_prod.t1 VALUES (1)", /db_prod/],
  ["DELETE FROM db_prod.t1", /db_prod/],
  ["DELETE a FROM t1 a JOIN db_prod.t1 b ON a.id = b.id", /db_prod/],
  ["SELECT * FROM t1 WHERE id IN (SELECT id FROM db_prod.t1)", /db_prod/],
  ["SELECT (SELECT MAX(x) FROM db_prod.scratch) FROM t1", /db_prod/],
  ["SELECT a.x FROM t1 a JOIN db_prod.t1 b ON a.id = b.id", /db_prod/],
  ["SELECT * FROM t1 UNION SELECT * FROM db_prod.t1", /db_prod/],
  ["WITH c AS (SELECT * FROM db_prod.t1) SELECT * FROM c", /db_prod/],
  ["CREATE VIEW v AS SELECT * FROM db_prod.t1", /db_prod/],
  ["CREATE TRIGGER trg AFTER INSERT ON t1 FOR EACH ROW UPDATE db_prod.scratch SET x = NEW.id", /db_prod/],
  ["CREATE TRIGGER trg AFTER INSERT ON db_prod.t1 FOR EACH ROW SET @x = 1", /db_prod/],
  ["CREATE TRIGGER trg AFTER INSERT ON t1 FOR EACH ROW BEGIN UPDATE new.scratch SET x = NEW.id; END", /`new\.scratch`/],
  ["CREATE PROCEDURE p() BEGIN UPDATE db_prod.scratch SET x = 1; END", /db_prod/],
  ["CREATE FUNCTION f() RETURNS int READS SQL DATA RETURN (SELECT COUNT(*) FROM db_prod.t1)", /db_prod/],
  ["CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO DELETE FROM db_prod.t1", /db_prod/],
  ["CREATE PROCEDURE p() BEGIN PREPARE s FROM @q; EXECUTE s; END", /`PREPARE` runs SQL from text/],
  ["PREPARE s FROM 'UPDATE db_prod.scratch SET x = 1'", /PREPARE/],
  ["EXECUTE IMMEDIATE 'UPDATE db_prod.scratch SET x = 1'", /EXECUTE/],
  ["SELECT * FROM db_prod.t1 AS db_prod", /db_prod/],
  ["SELECT db_prod.t1.x FROM t1", /`db_prod\.t1\.x` names database `db_prod`/],
  ["SELECT db_prod.f(1)", /`db_prod\.f` names an object of database `db_prod`/],
  ["CALL db_prod.p()", /db_prod/],
  ["SELECT NEXTVAL(db_prod.s)", /db_prod/],
  ["SELECT * FROM information_schema.TABLES", /information_schema/],
  ["SELECT * FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'db_test'", /information_schema/],
  ["SELECT * FROM performance_schema.events_statements_history", /performance_schema/],
  ["SELECT * FROM sys.processlist", /`sys\.processlist`/],
  ["SHOW TABLES FROM db_prod", /`SHOW TABLES FROM db_prod` lists another database/],
  ["SHOW TABLES IN `db_prod`", /db_prod/],
  ["SHOW COLUMNS FROM t1 FROM db_prod", /db_prod/],
  ["SHOW CREATE TABLE db_prod.t1", /db_prod/],
  ["SHOW DATABASES", /SHOW DATABASES/],
  ["SHOW PROCESSLIST", /SHOW PROCESSLIST/],
  ["SHOW BINLOG EVENTS", /SHOW BINLOG/],
  ["SHOW CREATE DATABASE db_prod", /SHOW CREATE DATABASE/],
  ["SHOW GRANTS FOR prod_app", /another account/],
  ["DESCRIBE db_prod.t1", /db_prod/],
  ["DROP DATABASE db_prod", /`DROP DATABASE db_prod` names another database/],
  ["DROP TABLE db_prod.t1", /db_prod/],
  ["CREATE DATABASE x", /use \/db newdb/],
  ["RENAME TABLE t1 TO db_prod.t1", /db_prod/],
  ["ALTER TABLE t1 RENAME db_prod.t1", /db_prod/],
  ["CREATE TABLE t2 LIKE db_prod.t1", /db_prod/],
  ["CREATE TABLE t2 AS SELECT * FROM db_prod.t1", /db_prod/],
  ["CREATE TABLE t2 (id int, FOREIGN KEY (id) REFERENCES db_prod.t1(id))", /db_prod/],
  ["CREATE TABLE m (a int) ENGINE=MERGE UNION=(db_prod.t1)", /db_prod/],
  ["CREATE TABLE t (a int) ENGINE=CONNECT TABLE_TYPE=MYSQL DBNAME='db_prod' TABNAME='t1'", /ENGINE=CONNECT/],
  ["CREATE TABLE f (a int) ENGINE=FEDERATED CONNECTION='mysql://u@h/db_prod/t1'", /CONNECTION|FEDERATED/],
  ["GRANT ALL ON *.* TO u", /GRANT/],
  ["REVOKE ALL PRIVILEGES, GRANT OPTION FROM prod_app", /REVOKE/],
  ["ALTER USER prod_app IDENTIFIED BY 'x'", /`ALTER USER` acts on the server/],
  ["DROP USER prod_app", /DROP USER/],
  ["SET PASSWORD FOR prod_app = PASSWORD('x')", /SET PASSWORD/],
  ["SET GLOBAL read_only = 1", /GLOBAL/],
  ["SET @@global.read_only = 1", /GLOBAL/],
  ["KILL 5", /KILL/],
  ["FLUSH TABLES", /FLUSH/],
  ["CREATE PROCEDURE p() BEGIN FLUSH PRIVILEGES; END", /FLUSH/],
  ["LOAD DATA INFILE '/var/lib/mysql/db_prod/t1.csv' INTO TABLE t1", /LOAD|INFILE/],
  ["SELECT LOAD_FILE('/var/lib/mysql/db_prod/t1.ibd')", /LOAD_FILE/],
  ["SELECT * FROM t1 INTO OUTFILE '/tmp/x'", /OUTFILE/],
  ["BINLOG 'AAAA'", /BINLOG/],
  ["/*!40000 UPDATE db_prod.scratch SET x = 1 */", /db_prod/],
  ["/*M!100000 UPDATE db_prod.scratch SET x = 1 */", /db_prod/],
  ["SELECT 1 /*! , db_prod.t1.x */ FROM t1", /db_prod/],
  ["/*!50001 CREATE VIEW `v` AS select `t`.`id` AS `id` from `db_prod`.`t` */", /`db_prod\.t` names database `db_prod`/],
  // ANSI_QUOTES (which a statement before may set) makes "…" a name.
  ['SELECT * FROM "db_prod"."t1"', /db_prod/],
  // Under NO_BACKSLASH_ESCAPES the string ends at the backslash, and the name is code.
  ["SELECT 'a\\' , db_prod.t1.x, ' FROM t1", /db_prod/],
  ["SELECT 'a\\', db_prod.t1.x FROM t1 d WHERE d.y = '", /db_prod/],
  ["EXPLAIN FOR CONNECTION 5", /CONNECTION/],
  ["HANDLER db_prod.t1 OPEN", /db_prod/],
  ["LOCK TABLES db_prod.t1 WRITE", /db_prod/],
  ["SELECT d.x FROM t1 AS d, db_prod.t1", /db_prod/],
  ["UPDATE t1 d JOIN db_prod.t1 p ON p.id = d.id SET p.secret = d.x", /db_prod/],
  ["INSERT INTO t1 (a) VALUES (1) ON DUPLICATE KEY UPDATE a = (SELECT MAX(x) FROM db_prod.scratch)", /db_prod/],
];

const mysqlAllowed = [
  "UPDATE scratch SET x = 666 WHERE id = 2",
  "UPDATE db_test.scratch SET x = 1.5 WHERE id = 2",
  "UPDATE `db_test`.`scratch` SET x = .5e3",
  "SELECT a.x, b.y, t1.* FROM t1 a JOIN t2 b ON a.id = b.id",
  "SELECT COUNT(*) FROM t1 USE INDEX (PRIMARY) WHERE t1.id > 1",
  "CREATE TRIGGER trg BEFORE INSERT ON t1 FOR EACH ROW SET NEW.x = OLD.x + 1",
  "CREATE TABLE t (id int PRIMARY KEY, user varchar(20), connection_id int) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  "ALTER TABLE t DROP user",
  "UPDATE t SET password = 'x' WHERE id = 1",
  "SET NAMES utf8mb4",
  "SET SESSION sql_mode = 'ANSI_QUOTES'",
  "SET @@session.sql_mode = ''",
  "SET @a.b = 1",
  "SET FOREIGN_KEY_CHECKS = 0",
  "SHOW TABLES",
  "SHOW FULL TABLES FROM db_test LIKE 't%'",
  "SHOW FULL COLUMNS FROM t1",
  "SHOW INDEX FROM t1 FROM db_test",
  "SHOW CREATE TABLE t1",
  "SHOW GLOBAL VARIABLES LIKE 'sql_mode'",
  "SHOW WARNINGS",
  "SELECT @@global.sql_mode",
  "DESCRIBE t1",
  "EXPLAIN SELECT * FROM t1",
  "WITH c AS (SELECT 1 x) SELECT c.x FROM c",
  "SELECT j->>'$.a.b', 'db_prod.t1' FROM t",
  "SELECT * FROM t -- db_prod.t1\n",
  "CREATE DEFINER=`root`@`localhost` PROCEDURE p() BEGIN SELECT 1; END",
  "CREATE DEFINER=admin@app.example.com VIEW v AS SELECT 1",
  "CREATE PROCEDURE p() BEGIN UPDATE t SET x = 1; SELECT COUNT(*) FROM t; END",
  "INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a)",
  "/*!40101 SET NAMES utf8 */",
  // A view as mysqldump writes it: versioned comments around code the parser reads once their markers are set aside.
  "/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */ /*!50001 VIEW `v` AS select `t`.`id` AS `id` from `t` */",
  "DROP DATABASE db_test",
  "ALTER DATABASE CHARACTER SET utf8mb4",
  "ALTER DATABASE db_test CHARACTER SET utf8mb4",
  "START TRANSACTION",
  "CALL p(1)",
  "SELECT f(1) FROM t1",
  "CREATE INDEX i ON t1 (a)",
  "TRUNCATE TABLE t1",
  "CREATE TABLE t2 LIKE t1",
  "DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id WHERE t2.x = 1",
  // The parser keeps an UPDATE's assignments apart from column references.
  "UPDATE history JOIN users ON users.id = history.user_id SET history.name = users.name, history.n = 1",
];

const postgresRefused: Array<[string, RegExp]> = [
  ["SELECT * FROM db_prod.public.t1", /`db_prod\.public\.t1` names database `db_prod`/],
  ["DROP DATABASE db_prod", /names database `db_prod`/],
  ["CREATE DATABASE x", /use \/db newdb/],
  ["ALTER DATABASE db_prod SET work_mem = '1GB'", /db_prod/],
  ["ALTER ROLE prod_app PASSWORD 'x'", /roles/],
  ["CREATE ROLE evil SUPERUSER", /roles/],
  ["GRANT prod_role TO test_user", /roles/],
  ["ALTER SYSTEM SET work_mem = '1GB'", /whole server/],
  ["CREATE EXTENSION dblink", /foreign server/],
  ["CREATE EXTENSION postgres_fdw", /foreign server/],
  ["SELECT * FROM dblink('dbname=db_prod', 'SELECT 1') AS t(x int)", /dblink/],
  ["SELECT dblink_exec('dbname=db_prod', 'UPDATE scratch SET x = 666')", /dblink/],
  ["CREATE SERVER prod FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'db_prod')", /foreign server/],
  ["IMPORT FOREIGN SCHEMA public FROM SERVER prod INTO public", /foreign server/],
  ["CREATE SUBSCRIPTION s CONNECTION 'dbname=db_prod' PUBLICATION p", /another database/],
  ["COPY t1 FROM PROGRAM 'psql db_prod -c \"UPDATE scratch SET x = 666\"'", /PROGRAM/],
  ["COPY t1 TO '/tmp/x'", /files/],
  ["CREATE TABLESPACE ts LOCATION '/tmp'", /tablespace/],
];

const postgresAllowed = [
  "UPDATE scratch SET x = 666 WHERE id = 2",
  "SELECT * FROM db_test.public.t1",
  "SELECT * FROM public.t1 JOIN other_schema.t2 USING (id)",
  "GRANT SELECT ON t1 TO reporting",
  "CREATE EXTENSION pgcrypto",
  "ALTER DATABASE db_test SET work_mem = '64MB'",
  "COPY t1 FROM STDIN",
  "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
];

for (const [engineName, refused, allowed] of [
  ["mysql", mysqlRefused, mysqlAllowed],
  ["postgres", postgresRefused, postgresAllowed],
] as const) {
  describe(`${engineName}: a statement for ${DATABASE} may reference only ${DATABASE}`, () => {
    const engine = engineFor(engineName);
    test(`${refused.length} statements that reach outside are refused, each with the reason`, async () => {
      for (const [sql, reason] of refused) {
        const answer = await engine.outsideDatabase(sql, DATABASE);
        assert.ok(answer, `not refused: ${sql}`);
        assert.match(answer, reason, `for ${sql}`);
      }
    });
    test(`${allowed.length} statements that stay inside pass`, async () => {
      for (const sql of allowed) assert.equal(await engine.outsideDatabase(sql, DATABASE), undefined, `refused: ${sql}`);
    });
  });
}
