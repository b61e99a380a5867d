#!/usr/bin/env node
// Peer implementation of the official vsv count in DuckDB SQL.
//
// Loads a registry folder in format v1 (shared/domain/registry-format.md) and the
// reference municipalities.csv into an in-memory DuckDB database, then computes for
// every school year T in [--from, --to] the full decomposition A, B1..B3, C_*, D_*, X
// and pct by region x sector x category, as defined in shared/domain/vsv-definition.md.
// All counting is done in one SQL query; JavaScript only shapes the JSON.
//
// Output: a JSON array, one object per school year, in the shape of
//   vsv count --format json --by region,sector,category --year FROM-TO
// Groups are sorted by key: region (as a string), then sector in the definition's
// order (VO, MBO, VAVO), then category in the definition's order (VO-ONDERBOUW,
// VO-BOVENBOUW-VMBO, VO-BOVENBOUW-HAVO-VWO, MBO-1, MBO-2, MBO-3-4, VAVO); nulls last.
//
// Usage:
//   node count.mjs --data DIR --reference DIR --from 2012 --to 2023
//                  [--age-limit 22] [--threads 2] [--out FILE.json] [--explain]
// --explain prints DuckDB's EXPLAIN ANALYZE of the count to stderr first (then counts).
// Timings (load, compute) go to stderr.

import { DuckDBInstance } from '@duckdb/node-api';
import { writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

const FIELDS = ['A', 'B1', 'B2', 'B3', 'B', 'C_VO', 'C_MBO', 'C_VAVO', 'C_HO',
  'C_SPECIAL', 'C_NONFUNDED', 'C_DJI', 'C_POLICE_DEFENCE', 'C_SOCIAL', 'C',
  'D_SK', 'D_ENTREE_WORK', 'D', 'X'];

function usage(msg) {
  if (msg) process.stderr.write(`count.mjs: ${msg}\n`);
  process.stderr.write('usage: node count.mjs --data DIR --reference DIR --from YEAR --to YEAR ' +
    '[--age-limit 22] [--threads 2] [--out FILE.json] [--explain]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { ageLimit: 22, threads: 2, out: null, explain: false };
  const names = {
    '--data': 'data', '--reference': 'reference', '--from': 'from', '--to': 'to',
    '--age-limit': 'ageLimit', '--threads': 'threads', '--out': 'out',
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--explain') { opts.explain = true; continue; }
    const key = names[argv[i]];
    if (!key) usage(`unknown argument ${argv[i]}`);
    if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
    opts[key] = argv[++i];
  }
  for (const k of ['data', 'reference', 'from', 'to']) if (opts[k] == null) usage(`--${k} is required`);
  for (const k of ['from', 'to', 'ageLimit', 'threads']) {
    if (!/^\d+$/.test(String(opts[k]))) usage(`--${k} must be a non-negative integer`);
    opts[k] = Number(opts[k]);
  }
  if (opts.from > opts.to) usage('--from must not be after --to');
  return opts;
}

// SQL string literal.
const lit = (s) => `'${String(s).replaceAll("'", "''")}'`;

// read_csv with the header matched by name and an explicit type for every column we use;
// every other column is read as text (all_varchar), so a column we do not use can never
// fail on a value the sniffer did not expect. Column order is free; unknown columns are
// ignored (we select by name).
function readCsv(file, types) {
  const t = Object.entries(types).map(([c, ty]) => `${lit(c)}: ${lit(ty)}`).join(', ');
  return `read_csv(${lit(file)}, header = true, delim = ',', quote = '"', escape = '"', ` +
    `all_varchar = true, types = {${t}})`;
}

const TABLES = {
  persons: { person_id: 'VARCHAR', birth_date: 'DATE', sex: 'VARCHAR' },
  residences: { person_id: 'VARCHAR', valid_from: 'DATE', valid_to: 'DATE', municipality: 'VARCHAR' },
  enrolments: {
    person_id: 'VARCHAR', institution: 'VARCHAR', location: 'VARCHAR', sector: 'VARCHAR',
    funded: 'TINYINT', program: 'VARCHAR', level: 'TINYINT', pathway: 'VARCHAR', grade: 'TINYINT',
    newcomer: 'TINYINT', international: 'TINYINT', outsourced_to_vavo: 'TINYINT',
    start_date: 'DATE', end_date: 'DATE',
  },
  diplomas: { person_id: 'VARCHAR', date: 'DATE', type: 'VARCHAR' },
  registrations: { person_id: 'VARCHAR', register: 'VARCHAR', valid_from: 'DATE', valid_to: 'DATE' },
  life_events: { person_id: 'VARCHAR', date: 'DATE', event: 'VARCHAR' },
};

const MUNICIPALITIES = { code: 'VARCHAR', region: 'VARCHAR', first_year: 'INTEGER', last_year: 'INTEGER' };

// CREATE TABLE name AS the typed columns of `types`; a missing column is an error.
async function loadTable(con, name, file, types) {
  const select = Object.keys(types).join(', ');
  await con.run(`CREATE TABLE ${name} AS SELECT ${select} FROM ${readCsv(file, types)}`);
}

// The definition in SQL. One query for all school years.
function countSql(from, to, ageLimit) {
  return `
WITH years AS (
  SELECT T::INTEGER AS T,
         make_date(T::INTEGER, 10, 1)      AS d0,        -- teldatum T
         make_date(T::INTEGER + 1, 10, 1)  AS d1,        -- teldatum T+1
         make_date(T::INTEGER + 1, 12, 31) AS sk_until   -- last day for a (late) SK
  FROM range(${from}, ${to + 1}) r(T)
),
-- The region of each municipality code in each school year (the mapping is versioned).
region_of AS (
  SELECT y.T, mu.code, mu.region
  FROM years y
  JOIN municipalities mu
    ON y.T BETWEEN mu.first_year AND coalesce(mu.last_year, 9999)
),
-- A: funded VO/MBO/VAVO enrolments active on teldatum T, minus VO newcomer and VO
-- international enrolments, of persons younger than the age limit on teldatum T.
candidates AS (
  SELECT y.T, y.d0, y.d1, y.sk_until, e.person_id, e.institution, e.location, e.sector,
         e.start_date,
         CASE e.sector
           WHEN 'VO' THEN CASE
             WHEN e.grade <= 2 OR e.program = 'BRUGJAAR'
                  OR (e.program IN ('HAVO', 'VWO') AND e.grade = 3) THEN 'VO-ONDERBOUW'
             WHEN e.program LIKE 'VMBO-%' AND e.grade >= 3 THEN 'VO-BOVENBOUW-VMBO'
             WHEN e.program IN ('HAVO', 'VWO') AND e.grade >= 4 THEN 'VO-BOVENBOUW-HAVO-VWO'
           END
           WHEN 'MBO' THEN CASE e.level
             WHEN 1 THEN 'MBO-1' WHEN 2 THEN 'MBO-2' WHEN 3 THEN 'MBO-3-4' WHEN 4 THEN 'MBO-3-4'
           END
           WHEN 'VAVO' THEN 'VAVO'
         END AS category,
         e.end_date, e.program, e.level, e.pathway, e.grade
  FROM years y
  JOIN enrolments e
    ON e.start_date <= y.d0 AND (e.end_date IS NULL OR e.end_date >= y.d0)
  JOIN persons p ON p.person_id = e.person_id
  WHERE e.funded = 1
    AND e.sector IN ('VO', 'MBO', 'VAVO')
    AND NOT (e.sector = 'VO' AND (e.newcomer = 1 OR e.international = 1))
    -- age in completed years on 1 October T
    AND y.T - year(p.birth_date)
        - CASE WHEN month(p.birth_date) * 100 + day(p.birth_date) > 1001 THEN 1 ELSE 0 END
        < ${ageLimit}
),
-- Main enrolment: VO < MBO < VAVO, earliest start, lowest institution, lowest location.
-- The definition stops there; for a full tie this takes the same enrolment as vsv does
-- (earliest end, then program in the format's order, crebo, level, pathway, grade).
main AS (
  SELECT * FROM candidates
  QUALIFY row_number() OVER (
    PARTITION BY T, person_id
    ORDER BY CASE sector WHEN 'VO' THEN 1 WHEN 'MBO' THEN 2 ELSE 3 END,
             start_date, institution, location,
             end_date NULLS LAST,
             list_position(['BRUGJAAR', 'VMBO-BB', 'VMBO-KB', 'VMBO-GL', 'VMBO-TL', 'HAVO',
                            'VWO', 'VAVO-VMBO', 'VAVO-HAVO', 'VAVO-VWO'], program) NULLS FIRST,
             TRY_CAST(program AS INTEGER) NULLS FIRST,
             level NULLS FIRST,
             list_position(['BOL', 'BBL'], pathway) NULLS FIRST,
             grade NULLS FIRST) = 1
),
-- Residence on teldatum T and T+1 (periods of one person do not overlap).
res AS (
  SELECT m.T, m.person_id,
         any_value(r.municipality) FILTER (
           WHERE r.valid_from <= m.d0 AND (r.valid_to IS NULL OR r.valid_to >= m.d0)
             AND r.municipality NOT IN ('ABROAD', 'NO_FIXED_ADDRESS')) AS municipality0,
         bool_or(r.valid_from <= m.d1 AND (r.valid_to IS NULL OR r.valid_to >= m.d1)
             AND r.municipality NOT IN ('ABROAD', 'NO_FIXED_ADDRESS')) AS lives_in_nl1
  FROM main m JOIN residences r ON r.person_id = m.person_id
  GROUP BY m.T, m.person_id
),
died_or_emigrated AS (
  SELECT DISTINCT m.T, m.person_id
  FROM main m JOIN life_events l
    ON l.person_id = m.person_id AND l.event IN ('DEATH', 'EMIGRATION')
   AND l.date BETWEEN m.d0 AND m.d1
),
-- Registrations active on teldatum T+1.
reg1 AS (
  SELECT m.T, m.person_id,
         bool_or(g.register = 'LPW_EXEMPTION')     AS lpw_exemption,
         bool_or(g.register = 'DJI')               AS dji,
         bool_or(g.register = 'POLICE_DEFENCE')    AS police_defence,
         bool_or(g.register = 'SOCIAL_TRAJECTORY') AS social,
         bool_or(g.register = 'EMPLOYED')          AS employed
  FROM main m JOIN registrations g
    ON g.person_id = m.person_id
   AND g.valid_from <= m.d1 AND (g.valid_to IS NULL OR g.valid_to >= m.d1)
  GROUP BY m.T, m.person_id
),
-- Enrolments active on teldatum T+1.
enr1 AS (
  SELECT m.T, m.person_id,
         bool_or(e.funded = 1 AND e.sector = 'VO')               AS c_vo,
         bool_or(e.funded = 1 AND e.sector = 'MBO')              AS c_mbo,
         bool_or(e.funded = 1 AND e.sector = 'VAVO')             AS c_vavo,
         bool_or(e.sector = 'HO')                                AS c_ho,
         bool_or(e.sector IN ('PRO', 'VSO', 'SO'))               AS c_special,
         bool_or(e.funded = 0 AND e.sector IN ('VO', 'MBO', 'VAVO')) AS c_nonfunded
  FROM main m JOIN enrolments e
    ON e.person_id = m.person_id
   AND e.start_date <= m.d1 AND (e.end_date IS NULL OR e.end_date >= m.d1)
  GROUP BY m.T, m.person_id
),
dip AS (
  SELECT m.T, m.person_id,
         bool_or(d.type IN ('HAVO', 'VWO', 'MBO2', 'MBO3', 'MBO4') AND d.date <= m.sk_until) AS sk,
         bool_or(d.type = 'MBO1' AND d.date <= m.d1) AS entree
  FROM main m JOIN diplomas d ON d.person_id = m.person_id
  GROUP BY m.T, m.person_id
),
classified AS (
  SELECT m.T, mu.region, m.sector, m.category,
         CASE
           WHEN de.person_id IS NOT NULL             THEN 'B1'
           WHEN res.municipality0 IS NULL
                OR NOT coalesce(res.lives_in_nl1, false) THEN 'B2'
           WHEN reg1.lpw_exemption                   THEN 'B3'
           WHEN enr1.c_vo                            THEN 'C_VO'
           WHEN enr1.c_mbo                           THEN 'C_MBO'
           WHEN enr1.c_vavo                          THEN 'C_VAVO'
           WHEN enr1.c_ho                            THEN 'C_HO'
           WHEN enr1.c_special                       THEN 'C_SPECIAL'
           WHEN enr1.c_nonfunded                     THEN 'C_NONFUNDED'
           WHEN reg1.dji                             THEN 'C_DJI'
           WHEN reg1.police_defence                  THEN 'C_POLICE_DEFENCE'
           WHEN reg1.social                          THEN 'C_SOCIAL'
           WHEN dip.sk                               THEN 'D_SK'
           WHEN dip.entree AND reg1.employed         THEN 'D_ENTREE_WORK'
           ELSE 'X'
         END AS part
  FROM main m
  LEFT JOIN res               USING (T, person_id)
  LEFT JOIN died_or_emigrated de USING (T, person_id)
  LEFT JOIN reg1              USING (T, person_id)
  LEFT JOIN enr1              USING (T, person_id)
  LEFT JOIN dip               USING (T, person_id)
  -- region of the residence on teldatum T, mapping valid for school year T
  LEFT JOIN region_of mu ON mu.T = m.T AND mu.code = res.municipality0
),
cube AS (
  SELECT T, region, sector, category,
         grouping(region, sector, category) <> 0 AS is_total,
         count(*)                           AS A,
         count_if(part = 'B1')              AS B1,
         count_if(part = 'B2')              AS B2,
         count_if(part = 'B3')              AS B3,
         count_if(part = 'C_VO')            AS C_VO,
         count_if(part = 'C_MBO')           AS C_MBO,
         count_if(part = 'C_VAVO')          AS C_VAVO,
         count_if(part = 'C_HO')            AS C_HO,
         count_if(part = 'C_SPECIAL')       AS C_SPECIAL,
         count_if(part = 'C_NONFUNDED')     AS C_NONFUNDED,
         count_if(part = 'C_DJI')           AS C_DJI,
         count_if(part = 'C_POLICE_DEFENCE') AS C_POLICE_DEFENCE,
         count_if(part = 'C_SOCIAL')        AS C_SOCIAL,
         count_if(part = 'D_SK')            AS D_SK,
         count_if(part = 'D_ENTREE_WORK')   AS D_ENTREE_WORK,
         count_if(part = 'X')               AS X
  FROM classified
  GROUP BY GROUPING SETS ((T), (T, region, sector, category))
)
SELECT T, region, sector, category, is_total,
       A, B1, B2, B3, B1 + B2 + B3 AS B,
       C_VO, C_MBO, C_VAVO, C_HO, C_SPECIAL, C_NONFUNDED, C_DJI, C_POLICE_DEFENCE, C_SOCIAL,
       C_VO + C_MBO + C_VAVO + C_HO + C_SPECIAL + C_NONFUNDED + C_DJI + C_POLICE_DEFENCE
         + C_SOCIAL AS C,
       D_SK, D_ENTREE_WORK, D_SK + D_ENTREE_WORK AS D,
       X,
       -- X / (A - B) * 100 rounded half up to two decimals, exactly (integer arithmetic)
       CASE WHEN A - (B1 + B2 + B3) = 0 THEN NULL
            ELSE ((20000 * X + (A - (B1 + B2 + B3))) // (2 * (A - (B1 + B2 + B3)))) / 100
       END AS pct
FROM cube
ORDER BY T, is_total DESC, region NULLS LAST,
         -- sectors and categories in the order of the definition
         CASE sector WHEN 'VO' THEN 1 WHEN 'MBO' THEN 2 WHEN 'VAVO' THEN 3 END NULLS LAST,
         CASE category
           WHEN 'VO-ONDERBOUW' THEN 1 WHEN 'VO-BOVENBOUW-VMBO' THEN 2
           WHEN 'VO-BOVENBOUW-HAVO-VWO' THEN 3 WHEN 'MBO-1' THEN 4 WHEN 'MBO-2' THEN 5
           WHEN 'MBO-3-4' THEN 6 WHEN 'VAVO' THEN 7 END NULLS LAST
`;
}

function emptyCounts() {
  const o = {};
  for (const f of FIELDS) o[f] = 0;
  o.pct = null;
  return o;
}

function counts(row) {
  const o = {};
  for (const f of FIELDS) o[f] = Number(row[f]);
  o.pct = row.pct == null ? null : Number(row.pct);
  return o;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(opts.threads),
    preserve_insertion_order: 'false',
  });
  const con = await instance.connect();

  for (const [name, types] of Object.entries(TABLES)) {
    const file = path.join(opts.data, `${name}.csv`);
    if (!existsSync(file)) throw new Error(`missing required file ${file}`);
    await loadTable(con, name, file, types);
  }
  await loadTable(con, 'municipalities', path.join(opts.reference, 'municipalities.csv'),
    MUNICIPALITIES);
  const t1 = performance.now();

  const sql = countSql(opts.from, opts.to, opts.ageLimit);
  if (opts.explain) {
    const plan = await con.runAndReadAll(`EXPLAIN ANALYZE ${sql}`);
    for (const row of plan.getRows()) process.stderr.write(`${row[1]}\n`);
  }
  const reader = await con.runAndReadAll(sql);
  const rows = reader.getRowObjects();
  const t2 = performance.now();

  const byYear = new Map();
  for (let T = opts.from; T <= opts.to; T++) {
    byYear.set(T, {
      school_year: `${T}-${T + 1}`,
      age_limit: opts.ageLimit,
      total: emptyCounts(),
      groups: [],
    });
  }
  for (const row of rows) {
    const y = byYear.get(Number(row.T));
    if (row.is_total) {
      y.total = counts(row);
    } else {
      y.groups.push({
        key: { region: row.region, sector: row.sector, category: row.category },
        ...counts(row),
      });
    }
  }
  const json = JSON.stringify([...byYear.values()], null, 1) + '\n';
  if (opts.out) writeFileSync(opts.out, json); else process.stdout.write(json);

  const sec = (ms) => (ms / 1000).toFixed(3);
  process.stderr.write(`duckdb: load ${sec(t1 - t0)} s, compute ${sec(t2 - t1)} s, ` +
    `total ${sec(performance.now() - t0)} s (${rows.length} result rows, threads ${opts.threads})\n`);
  con.closeSync?.();
}

main().catch((err) => {
  process.stderr.write(`count.mjs: ${err.message ?? err}\n`);
  process.exit(1);
});
