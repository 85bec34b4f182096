-- Every line of the PostgreSQL schema snapshot, with its sort keys: (section, object, item, detail, line).
-- Run with search_path = pg_catalog so that pg_get_* qualify every user object the same way in every session.
-- Volatile values are never read: no OIDs in the text, no sequence positions, no reltuples or other statistics.
WITH
user_namespace AS (
  SELECT n.oid, n.nspname
  FROM pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'sluice_backup')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
),
extension_member AS (
  SELECT d.classid, d.objid FROM pg_depend d WHERE d.deptype = 'e'
),
relation AS (
  SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relispartition, c.relrowsecurity, c.reloptions,
         ns.nspname || '.' || c.relname AS qualified_name
  FROM pg_class c
  JOIN user_namespace ns ON ns.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND NOT EXISTS (SELECT 1 FROM extension_member e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid)
),
routine AS (
  SELECT p.oid, p.prokind, ns.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS signature
  FROM pg_proc p
  JOIN user_namespace ns ON ns.oid = p.pronamespace
  WHERE NOT EXISTS (SELECT 1 FROM extension_member e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid)
),
user_type AS (
  SELECT t.oid, t.typtype, t.typbasetype, t.typtypmod, t.typnotnull, t.typdefault, t.typrelid,
         ns.nspname || '.' || t.typname AS qualified_name
  FROM pg_type t
  JOIN user_namespace ns ON ns.oid = t.typnamespace
  WHERE t.typtype IN ('e', 'd', 'r', 'c', 'm')
    AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
    AND NOT EXISTS (SELECT 1 FROM extension_member e WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid)
),
line AS (
  -- schemas
  SELECT 1 AS section, ns.nspname AS object, 0 AS item, '' AS detail,
         'schema ' || ns.nspname || coalesce(' comment ' || quote_literal(obj_description(ns.oid, 'pg_namespace')), '') AS text
  FROM user_namespace ns
  WHERE NOT EXISTS (SELECT 1 FROM extension_member e WHERE e.classid = 'pg_namespace'::regclass AND e.objid = ns.oid)

  -- extensions
  UNION ALL
  SELECT 2, x.extname, 0, '',
         'extension ' || x.extname || ' schema ' || n.nspname || ' version ' || x.extversion
  FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
  WHERE x.extname <> 'plpgsql'

  -- types: enums, domains, ranges, composites
  UNION ALL
  SELECT 3, t.qualified_name, 0, '',
         CASE t.typtype
           WHEN 'e' THEN 'type ' || t.qualified_name || ' enum ('
             || (SELECT coalesce(string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder), '') FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'
           WHEN 'd' THEN 'domain ' || t.qualified_name || ' ' || format_type(t.typbasetype, t.typtypmod)
             || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END || coalesce(' DEFAULT ' || t.typdefault, '')
           WHEN 'r' THEN 'type ' || t.qualified_name || ' range ('
             || (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid) || ')'
           WHEN 'm' THEN 'type ' || t.qualified_name || ' multirange'
           ELSE 'type ' || t.qualified_name || ' as ('
             || (SELECT coalesce(string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum), '')
                 FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) || ')'
         END || coalesce(' comment ' || quote_literal(obj_description(t.oid, 'pg_type')), '')
  FROM user_type t
  WHERE t.typtype <> 'm'
  UNION ALL
  SELECT 3, t.qualified_name, 1, con.conname,
         '  constraint ' || con.conname || ' ' || pg_get_constraintdef(con.oid)
  FROM user_type t JOIN pg_constraint con ON con.contypid = t.oid

  -- sequences (identity sequences belong to their column); never their current value
  UNION ALL
  SELECT 4, ns.nspname || '.' || c.relname, 0, '',
         'sequence ' || ns.nspname || '.' || c.relname || ' as ' || format_type(s.seqtypid, NULL)
         || ' increment ' || s.seqincrement || ' minvalue ' || s.seqmin || ' maxvalue ' || s.seqmax
         || ' start ' || s.seqstart || ' cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END
         || coalesce((SELECT ' owned by ' || owner_ns.nspname || '.' || owner.relname || '.' || a.attname
                      FROM pg_depend d
                      JOIN pg_class owner ON owner.oid = d.refobjid
                      JOIN pg_namespace owner_ns ON owner_ns.oid = owner.relnamespace
                      JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a'
                        AND d.refclassid = 'pg_class'::regclass), '')
  FROM pg_sequence s
  JOIN pg_class c ON c.oid = s.seqrelid
  JOIN user_namespace ns ON ns.oid = c.relnamespace
  WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('i', 'e'))

  -- tables, views, materialized views, foreign tables
  UNION ALL
  SELECT CASE WHEN r.relkind IN ('v', 'm') THEN 6 ELSE 5 END, r.qualified_name, 0, '',
         CASE r.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view ' WHEN 'f' THEN 'foreign table ' ELSE 'table ' END
         || r.qualified_name
         || CASE WHEN r.relpersistence = 'u' THEN ' unlogged' ELSE '' END
         || coalesce(' partition by ' || pg_get_partkeydef(r.oid), '')
         || coalesce((SELECT ' partition of ' || pns.nspname || '.' || parent.relname || ' ' || pg_get_expr(child.relpartbound, child.oid)
                      FROM pg_inherits i
                      JOIN pg_class parent ON parent.oid = i.inhparent
                      JOIN pg_namespace pns ON pns.oid = parent.relnamespace
                      JOIN pg_class child ON child.oid = i.inhrelid
                      WHERE i.inhrelid = r.oid AND r.relispartition), '')
         || coalesce((SELECT ' inherits ' || string_agg(pns.nspname || '.' || parent.relname, ', ' ORDER BY i.inhseqno)
                      FROM pg_inherits i
                      JOIN pg_class parent ON parent.oid = i.inhparent
                      JOIN pg_namespace pns ON pns.oid = parent.relnamespace
                      WHERE i.inhrelid = r.oid AND NOT r.relispartition), '')
         || CASE WHEN r.relrowsecurity THEN ' row level security' ELSE '' END
         || coalesce(' with (' || array_to_string(r.reloptions, ', ') || ')', '')
         || coalesce(' comment ' || quote_literal(obj_description(r.oid, 'pg_class')), '')
         || CASE WHEN r.relkind IN ('v', 'm') THEN E'\n' || regexp_replace(rtrim(pg_get_viewdef(r.oid, true), E' \n;'), '^|\n', E'\\&    ', 'g') ELSE '' END
  FROM relation r

  -- columns, in table order
  UNION ALL
  SELECT 5, r.qualified_name, 1, lpad(a.attnum::text, 5, '0'),
         '  column ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END
         || CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'
                 ELSE coalesce(' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid), '') END
         || CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY' WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END
         || CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || quote_ident(coll.collname) ELSE '' END
         || coalesce(' comment ' || quote_literal(col_description(r.oid, a.attnum)), '')
  FROM relation r
  JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  LEFT JOIN pg_collation coll ON coll.oid = a.attcollation
  WHERE r.relkind IN ('r', 'p', 'f')

  -- constraints: primary key, unique, foreign key, check, exclusion
  UNION ALL
  SELECT 5, r.qualified_name, 2, con.conname,
         '  constraint ' || con.conname || ' ' || pg_get_constraintdef(con.oid)
  FROM relation r JOIN pg_constraint con ON con.conrelid = r.oid

  -- indexes that no constraint owns
  UNION ALL
  SELECT CASE WHEN r.relkind = 'm' THEN 6 ELSE 5 END, r.qualified_name, 3, ic.relname,
         '  ' || CASE WHEN i.indisunique THEN 'unique index ' ELSE 'index ' END || ic.relname || ' '
         || substr(pg_get_indexdef(i.indexrelid), strpos(pg_get_indexdef(i.indexrelid), ' USING ') + 1)
  FROM relation r
  JOIN pg_index i ON i.indrelid = r.oid
  JOIN pg_class ic ON ic.oid = i.indexrelid
  WHERE NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = r.oid AND con.contype IN ('p', 'u', 'x'))

  -- triggers
  UNION ALL
  SELECT CASE WHEN r.relkind IN ('v', 'm') THEN 6 ELSE 5 END, r.qualified_name, 4, tg.tgname,
         '  trigger ' || regexp_replace(pg_get_triggerdef(tg.oid), '^CREATE (CONSTRAINT )?TRIGGER ', '')
         || CASE WHEN tg.tgenabled = 'D' THEN ' disabled' ELSE '' END
  FROM relation r JOIN pg_trigger tg ON tg.tgrelid = r.oid
  WHERE NOT tg.tgisinternal

  -- row level security policies
  UNION ALL
  SELECT 5, r.qualified_name, 5, pol.polname,
         '  policy ' || pol.polname || CASE WHEN pol.polpermissive THEN '' ELSE ' restrictive' END
         || ' for ' || CASE pol.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert' WHEN 'w' THEN 'update' WHEN 'd' THEN 'delete' ELSE 'all' END
         || ' to ' || (SELECT string_agg(role_name, ', ' ORDER BY role_name COLLATE "C")
                       FROM (SELECT CASE WHEN role_id = 0 THEN 'public' ELSE (SELECT rolname::text FROM pg_roles WHERE oid = role_id) END AS role_name
                             FROM unnest(pol.polroles) AS role_id) roles)
         || coalesce(' using (' || pg_get_expr(pol.polqual, pol.polrelid) || ')', '')
         || coalesce(' with check (' || pg_get_expr(pol.polwithcheck, pol.polrelid) || ')', '')
  FROM relation r JOIN pg_policy pol ON pol.polrelid = r.oid

  -- rules other than the ones that make views
  UNION ALL
  SELECT 5, r.qualified_name, 6, rw.rulename,
         '  rule ' || rw.rulename || ' ' || regexp_replace(pg_get_ruledef(rw.oid, true), E'\\s+', ' ', 'g')
  FROM relation r JOIN pg_rewrite rw ON rw.ev_class = r.oid
  WHERE rw.rulename <> '_RETURN'

  -- functions and procedures with their whole definition; aggregates by signature
  UNION ALL
  SELECT 7, ro.signature, 0, '',
         CASE ro.prokind
           WHEN 'a' THEN 'aggregate ' || ro.signature
           ELSE CASE ro.prokind WHEN 'p' THEN 'procedure ' ELSE 'function ' END || ro.signature
             || E'\n' || regexp_replace(rtrim(pg_get_functiondef(ro.oid), E' \n'), '^|\n', E'\\&    ', 'g')
         END
         || coalesce(E'\n    comment ' || quote_literal(obj_description(ro.oid, 'pg_proc')), '')
  FROM routine ro
)
-- Trailing blanks on body lines are noise in a diff.
SELECT section, object, item, detail, regexp_replace(text, E'[ \\t]+(\\n|$)', E'\\1', 'g') AS text FROM line
