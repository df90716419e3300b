"""The database router used when a read replica is configured (DATABASE_REPLICA_URL).

Reads go to "default" unless the code asks for the replica by name, through
`mycity.lib.replica.replica(queryset)`: a replica lags behind, and a person
who has just filed an appeal and is sent to its page must read it from the
primary. So this router routes nothing to the replica by itself:

- reads: no opinion (Django then uses "default", or the alias of the
  instance a related object is read through, so an object read from the
  replica reads its relations there too);
- writes: always "default", even for an object that was read from the
  replica (Django would otherwise save it where it came from);
- relations between objects of the two aliases are allowed: the replica is
  a copy of the same database;
- migrations run on "default" only; the replica follows by replication.
"""

DEFAULT = "default"
REPLICA = "replica"
ALIASES = frozenset({DEFAULT, REPLICA})


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return None

    def db_for_write(self, model, **hints):
        return DEFAULT

    def allow_relation(self, obj1, obj2, **hints):
        if obj1._state.db in ALIASES and obj2._state.db in ALIASES:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT
