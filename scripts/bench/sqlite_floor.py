#!/usr/bin/env python3
"""The SQLite floor of a Bulk first run's bookkeeping (issue #14).

Does, with C-speed SQLite from Python's sqlite3 and none of the product's code, only what a first run of
`push_bench N 0.4N --only bulk` asks of the database: stage every contact's write (push_staged and its
indexes), read the upload pages and stamp the job ids, store every answer, read the joined pages, and
settle each contact (its log row with the run review's six indexes, its push state, its staged rows
deleted). Same tables and indexes as migrations 0008, 0009 and 0011; WAL, synchronous FULL (sqlx's
default); 2,000 rows a transaction. The figure is what this schema costs before the engine does any work
of its own, so it is the limit the engine's record / stage / upload / answer / join phases are held to.

Python builds the rows, so the figures include its own time: the true floor is lower still.

    python3 scripts/bench/sqlite_floor.py [contacts]     # default 1,000,000; a temporary database
"""
import sqlite3, time, os, sys, json
N=int(sys.argv[1]) if len(sys.argv)>1 else 1000000
import tempfile
path=os.path.join(tempfile.mkdtemp(prefix='komo-floor-'), 'floor.db')
c=sqlite3.connect(path, isolation_level=None); c.execute('pragma journal_mode=wal'); c.execute('pragma synchronous=full')
c.executescript("""
create table push_staged (run_id integer not null, contact_id integer not null, operation text not null, join_key text not null, match_key text not null, email text not null, hash text, payload text not null, job_id text, attempts integer not null default 0, in_flight boolean not null default false, primary key (run_id, contact_id, join_key));
create index push_staged_by_key on push_staged (run_id, match_key);
create index push_staged_by_job on push_staged (run_id, operation, job_id, contact_id);
create table push_answers (run_id integer not null, job_id text not null, join_key text not null, ok boolean not null, crm_id text, created boolean not null default false, error_code text, message text, primary key (run_id, job_id, join_key));
create table sync_run_rows (id integer primary key autoincrement, run_id integer not null, contact_id integer not null, email text not null, action text not null, outcome text not null, crm_id text, error_code text, message text);
create index sync_run_rows_by_run on sync_run_rows (run_id, id);
create index sync_run_rows_by_outcome on sync_run_rows (run_id, outcome, id);
create unique index sync_run_rows_one_per_contact on sync_run_rows (run_id, contact_id);
create index sync_run_rows_by_code on sync_run_rows (run_id, outcome, error_code, id);
create index sync_run_rows_by_action on sync_run_rows (run_id, action, id);
create index sync_run_rows_by_email on sync_run_rows (run_id, email);
create table sync_contact_state (sync_id integer not null, contact_id integer not null, crm_id text, last_hash text, last_pushed_at integer, last_error text, primary key (sync_id, contact_id));
""")
B=2000
def email(i): return f'person{i}@bench.example'
def payload(i): return json.dumps({"Email":email(i),"FirstName":f"First{i%997}","LastName":f"Last{i}","Phone":"+44 20 7946 %04d"%(i%10000),"MobilePhone":"+44 7700 9%05d"%(i%100000),"Title":"Marketing lead","MailingCity":"London","MailingPostalCode":f"N{i%20} 1AA"})
T={}
def lap(name,t0): T[name]=T.get(name,0)+time.time()-t0
ins=int(N*0.6)
op=lambda i: 'insert' if i<ins else 'update'
jk=lambda i: email(i) if i<ins else '003%015d'%i
t=time.time()
for b in range(0,N,B):
    c.execute('begin')
    c.executemany("insert into push_staged (run_id, contact_id, operation, join_key, match_key, email, hash, payload) values (1,?,?,?,?,?,?,?)",
        [(i, op(i), jk(i), email(i), email(i), '%064x'%(i*7919), payload(i)) for i in range(b,min(N,b+B))])
    c.execute('commit')
lap('stage',t)
t=time.time()
for o,job in (('insert','J1'),('update','J2')):
    # read the upload pages
    after=-1
    while True:
        rows=c.execute("select contact_id, payload from push_staged where run_id=1 and operation=? and job_id is null and contact_id>? order by contact_id limit 2000",(o,after)).fetchall()
        if not rows: break
        after=rows[-1][0]
    c.execute("update push_staged set job_id=? where run_id=1 and operation=? and job_id is null",(job,o))
lap('upload (read + stamp)',t)
t=time.time()
for job,lo,hi in (('J1',0,ins),('J2',ins,N)):
    for b in range(lo,hi,B):
        c.execute('begin')
        c.executemany("insert into push_answers (run_id, job_id, join_key, ok, crm_id, created) values (1,?,?,1,?,?) on conflict do nothing",
            [(job, jk(i), '003%015d'%i, 1 if job=='J1' else 0) for i in range(b,min(hi,b+B))])
        c.execute('commit')
lap('answer',t)
for job,o in (('J1','insert'),('J2','update')):
    after=-1
    while True:
        t=time.time()
        rows=c.execute("""select s.contact_id, s.operation, s.join_key, s.match_key, s.email, s.hash, s.attempts, s.in_flight, a.ok, a.crm_id, a.created, a.error_code, a.message from push_staged s left join push_answers a on a.run_id = s.run_id and a.job_id = s.job_id and a.join_key = s.join_key where s.run_id = 1 and s.operation = ? and s.job_id = ? and s.contact_id in (select distinct contact_id from push_staged where run_id = 1 and operation = ? and job_id = ? and contact_id > ? order by contact_id limit 2000) order by s.contact_id, s.join_key""",(o,job,o,job,after)).fetchall()
        lap('join',t)
        if not rows: break
        after=rows[-1][0]
        t=time.time()
        c.execute('begin')
        c.executemany("insert into sync_run_rows (run_id, contact_id, email, action, outcome, crm_id) values (1,?,?,?, 'ok', ?)",[(r[0],r[4],o,r[9]) for r in rows])
        c.executemany("insert into sync_contact_state (sync_id, contact_id, crm_id, last_hash, last_pushed_at) values (1,?,?,?,1700000000) on conflict (sync_id, contact_id) do update set crm_id=coalesce(excluded.crm_id, sync_contact_state.crm_id), last_hash=coalesce(excluded.last_hash, sync_contact_state.last_hash), last_pushed_at=excluded.last_pushed_at, last_error=excluded.last_error",[(r[0],r[9],r[5]) for r in rows])
        c.execute("delete from push_staged where run_id=1 and contact_id in (select value from json_each(?))",(json.dumps([r[0] for r in rows]),))
        c.execute('commit')
        lap('record (settle)',t)
    t=time.time()
    c.execute("delete from push_answers where run_id=1 and job_id=?",(job,))
    lap('join',t)
tot=sum(T.values())
for f in os.listdir(os.path.dirname(path)): os.remove(os.path.join(os.path.dirname(path), f))
os.rmdir(os.path.dirname(path))
print(f"N={N}: "+" · ".join(f"{k} {v:.1f} s" for k,v in T.items())+f" · total {tot:.1f} s")
