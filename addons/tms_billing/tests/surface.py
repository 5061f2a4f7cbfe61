"""The client surface of the project, derived from the registry.

Odoo's real client is RPC: every stored field a role can write and every public method
is an input, whatever a view shows. This module finds them in the registry rather than
in a hand-written list: every model of the project's addons, every model of Odoo's the
project adds fields or public methods to, their guarded fields
(``_tms_guarded_field_names``) and the public methods the project defines. It checks
that each has a decision (``_tms_write_access``, ``_tms_create_access``,
``_tms_method_access``) and calls them as real users of each role, with hostile values,
each call as an RPC request runs it: in a savepoint rolled back afterwards, what the
ledger commits watched, an IntegrityError turned into Odoo's ValidationError, the log's
errors kept. A test class provides the records (``SurfaceMixin``).
"""

import inspect
import json
import logging
import math
import traceback
from collections import defaultdict
from datetime import date, datetime

import psycopg2

from odoo import fields, models
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.fields import Command
from odoo.service.model import _as_validation_error
from odoo.tests import common as odoo_test_common
from odoo.tools import SQL

from ..models.tms_billing_client_access import CHAR_LENGTH, INT_MAX, NUMBER_BOUND, TEXT_LENGTH
from .common import AccessMatrixMixin, MatrixHidden, RecordsWithTraceback, rows_fingerprint

_logger = logging.getLogger(__name__)

# Odoo's ORM methods (create, write, unlink, copy, read, search, default_get, onchange,
# web_save...): called through the field declarations, not listed as methods.
ORM_METHOD_NAMES = frozenset(dir(models.BaseModel))
SPECIAL_GROUPS = ("*", "nobody")

# The roles, as real users: the public user (``base.public_user``) and one user per row
# of the README's "Who may do what"; "other_company" is a transport manager of a second
# company.
SURFACE_ROLES = {
    "public": None,
    "portal": "base.group_portal",
    "internal": "base.group_user",
    "sales": "sales_team.group_sale_salesman,base.group_partner_manager",
    "invoicing": "account.group_account_invoice,base.group_partner_manager",
    "accountant": "account.group_account_manager,base.group_partner_manager",
    "transport_user": "tms_billing.group_tms_billing_user,base.group_partner_manager",
    "transport_manager": "tms_billing.group_tms_billing_manager,base.group_partner_manager",
    "other_company": "tms_billing.group_tms_billing_manager,base.group_partner_manager",
    "admin": AccessMatrixMixin.MATRIX_ROLES["admin"],
}
# The owner of "another user's" records (previews, contact searches) in the first company.
COLLEAGUE = "colleague"
COLLEAGUE_GROUPS = "tms_billing.group_tms_billing_user,base.group_partner_manager"

# Values no field should take as they come, for every field a role may write: each must
# be refused cleanly or stored as the valid value it is.
HOSTILE_VALUES = (
    math.nan,
    math.inf,
    -math.inf,
    1e300,
    1e308,
    2**31,
    -(2**31) - 1,
    -5,
    0,
    1.5,
    False,
    None,
    True,
    "Ham\x00burg",
    "x" * 100_000,
    '<script>alert("x")</script>',
    '<img src="x" onerror="alert(1)">',
    "12abc",
    "",
    "2026-13-45",
    "9999-12-31",
    {},
    {"a": 1},
    [],
    [1, "a"],
)


# What a call left behind, by the kind of finding it is.
PROBLEM_KINDS = {
    "garbage": "stored garbage",
    "other fields changed": "other fields changed",
    "partial write": "partial writes",
}


def is_project_module(module):
    return bool(module) and module.startswith("tms_billing")


def is_project_class(cls):
    return cls.__module__.startswith("odoo.addons.tms_billing")


def public_methods(model):
    """The methods of ``model`` a client can call over RPC that the project defines: not
    private (``_``, ``@api.private``), not Odoo's ORM methods."""
    cls = type(model)
    names = []
    for name in dir(cls):
        if name.startswith("_") or name in ORM_METHOD_NAMES:
            continue
        if not callable(getattr(cls, name, None)):
            continue
        mro = cls.mro()
        if any(getattr(getattr(klass, name, None), "_api_private", False) for klass in mro):
            continue
        if any(name in klass.__dict__ and is_project_class(klass) for klass in mro):
            names.append(name)
    return sorted(names)


def surface_models(env):
    """The project's models and the models of Odoo's it adds fields or public methods
    to, by name (abstract models left out: their fields live on the models above)."""
    names = []
    for name in sorted(env.registry):
        model = env[name]
        if model._abstract:
            continue
        if (
            is_project_module(model._original_module)
            or model._tms_guarded_field_names()
            or public_methods(model)
        ):
            names.append(name)
    return names


def declared_names(access):
    return set().union(*access.values()) if access else set()


def declaration_findings(env, model_names):
    """What the declarations leave open or contradict: ``{kind: [text]}``."""
    findings = defaultdict(list)
    for name in model_names:
        model = env[name]
        guarded = model._tms_guarded_field_names()
        for kind, access in (
            ("write", model._tms_write_access()),
            ("create", model._tms_create_access()),
        ):
            for field_name in sorted(guarded - declared_names(access)):
                findings[f"fields without a {kind} decision"].append(f"{name}.{field_name}")
            for field_name in sorted(declared_names(access) - guarded):
                findings[f"{kind} declaration names no guarded field"].append(
                    f"{name}.{field_name}"
                )
            for group, names in access.items():
                if group not in SPECIAL_GROUPS and not env.ref(group, raise_if_not_found=False):
                    findings["unknown groups"].append(f"{name} ({kind}): {group}")
                if group == "nobody":
                    continue
                for field_name in sorted(names & access.get("nobody", set())):
                    findings["declared for nobody and for a group"].append(
                        f"{name}.{field_name} ({kind}): nobody and {group}"
                    )
                for field_name in sorted(names & guarded):
                    field = model._fields[field_name]
                    if field.compute and not field.inverse:
                        findings["computed without inverse, declared writable"].append(
                            f"{name}.{field_name} ({kind}): {group}"
                        )
        methods = set(public_methods(model))
        access = model._tms_method_access()
        for method in sorted(methods - set(access)):
            findings["public methods without a decision"].append(f"{name}.{method}")
        for method in sorted(set(access) - methods):
            findings["declared methods that are not public methods"].append(f"{name}.{method}")
        for method, groups in access.items():
            for group in sorted(groups):
                if group != "*" and not env.ref(group, raise_if_not_found=False):
                    findings["unknown groups"].append(f"{name}.{method}: {group}")
    return dict(findings)


class _SurfaceUndo(Exception):
    """Rolls a cell back to its savepoint."""


def _is_blank(value):
    return value is None or value is False or value == ""


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


class SurfaceMixin:
    """Runs the surface: every guarded field written and created as every role, hostile
    values for the fields a role may write, every public method called as every role on
    a record of its own and a foreign one. Needs ``SyncAccessMatrixMixin`` (the ledger's
    commits) or another ``AccessMatrixMixin`` for ``_matrix_commit_watch`` and
    ``MATRIX_TABLES``.

    The test class provides, in ``setUpClass``:

    - ``surface_records``: ``{"home" | "other": {model: record}}``, one record per model
      of each company (the first is the roles', the other a second company's);
    - ``surface_owned``: ``{role: {model: record}}`` for the models whose records belong
      to their creator (previews, contact searches), made by that user, including
      ``COLLEAGUE``'s (another user of the first company);
    - ``surface_deleted_ids``: ``{model: id}`` of records deleted again (freed ids), and
      ``surface_archived``: ``{model: record}`` archived ones;
    - ``_surface_create_values(model, role)``: what a create by ``role`` needs besides
      the field under test, for the models a client may create;
    - ``_surface_method_args(model, method)``: the arguments of a method that takes any.
    """

    # Fields a write changes besides itself, on purpose: ``{(model, field): names}``.
    SURFACE_COUPLED = {}

    @classmethod
    def _surface_setup_users(cls, home, other):
        """The roles' users, of company ``home`` except "other_company"."""
        cls.surface_companies = {"home": home, "other": other}
        cls.surface_users = {"public": cls.env.ref("base.public_user")}
        for role, groups in [*SURFACE_ROLES.items(), (COLLEAGUE, COLLEAGUE_GROUPS)]:
            if groups is None:
                continue
            company = other if role == "other_company" else home
            cls.surface_users[role] = odoo_test_common.new_test_user(
                cls.env,
                f"tms_surface_{role}",
                groups=groups,
                email=f"surface.{role}@example.com",
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )
        cls.surface_user_companies = {
            role: user.company_ids.ids for role, user in cls.surface_users.items()
        }

    # -- who, where --------------------------------------------------------------------

    def _surface_company_key(self, role):
        return "other" if role == "other_company" else "home"

    def _surface_env(self, role):
        """The environment of an RPC request of ``role``'s user."""
        user = self.surface_users[role]
        context = {
            "lang": "en_US",
            "tz": "Europe/Berlin",
            "allowed_company_ids": self.surface_user_companies[role],
        }
        return self.env(user=user, su=False, context=context)

    def _surface_is_owned(self, model_name):
        """Whether records of the model belong to their creator (a rule on create_uid)."""
        rules = self.env["ir.rule"].sudo().search([("model_id.model", "=", model_name)])
        return any("create_uid" in (rule.domain_force or "") for rule in rules)

    def _surface_own(self, model_name, role):
        if model_name in self.surface_owned_models:
            owned = self.surface_owned.get(role, {}).get(model_name)
            return owned or self.surface_owned[COLLEAGUE].get(model_name)
        records = self.surface_records[self._surface_company_key(role)]
        # A model without companies has its one record in the first company's set.
        return records.get(model_name) or self.surface_records["home"].get(model_name)

    def _surface_foreign(self, model_name, role):
        """Another company's record, or another user's (previews, contact searches)."""
        if model_name in self.surface_owned_models:
            if not self.surface_owned.get(role, {}).get(model_name):
                return None
            return self.surface_owned[COLLEAGUE].get(model_name)
        other = "home" if self._surface_company_key(role) == "other" else "other"
        return self.surface_records[other].get(model_name)

    def _surface_groups_key(self, role):
        return frozenset(self.surface_users[role].groups_id.ids)

    # -- one call as a request -----------------------------------------------------------

    def _surface_call(self, call, verify=None):
        """Run ``call()`` as an RPC request does: ``(outcome, detail, problems)`` with
        outcome "allowed", "refused" or "failed"; ``verify(result)`` (inside the request,
        after it succeeded) returns problems of what it stored. A refusal or a failure
        reports what was committed before it (the ledger's ``_tms_commit``)."""
        commits = self._surface_commits = []
        logged_from = len(self._surface_log.records)
        outcome, detail, problems = "allowed", "", []
        integrity_error = None
        try:
            with self.env.cr.savepoint():
                try:
                    result = call()
                    self.env.flush_all()
                except psycopg2.IntegrityError as exc:
                    # Judged once rolled back, as Odoo's request does.
                    integrity_error, outcome = exc, "refused"
                except MissingError:
                    outcome, detail = "failed", traceback.format_exc()
                except (AccessError, UserError, MatrixHidden) as error:
                    outcome, detail = "refused", f"{type(error).__name__}: {error}"
                except Exception:
                    outcome, detail = "failed", traceback.format_exc()
                else:
                    if verify:
                        problems = verify(result)
                raise _SurfaceUndo
        except _SurfaceUndo:
            self.env.invalidate_all(flush=False)
        if integrity_error is not None:
            error = _as_validation_error(self.env, integrity_error)
            detail = f"{type(error).__name__}: {error}"
        # An error in the log is a traceback the client does not see; Odoo's own notes of
        # refusals (INFO with their traceback) are not.
        logged = [
            record
            for record in self._surface_log.records[logged_from:]
            if record.levelno >= logging.ERROR
        ]
        if logged:
            outcome = "failed"
            detail = "\n".join(
                f"logged {record.levelname} {record.getMessage()[:300]}" for record in logged
            ) + (f"\n{detail}" if detail else "")
        if commits and outcome != "allowed":
            before = rows_fingerprint(self.env, self.MATRIX_TABLES)
            kept = commits[-1]
            changed = [table for table in before if before[table] != kept[table]]
            if changed:
                problems.append(("partial write", ", ".join(changed)))
        return outcome, detail, problems

    def _surface_commit(self, _records=None):
        self._surface_commits.append(rows_fingerprint(self.env, self.MATRIX_TABLES))

    # -- values ------------------------------------------------------------------------

    def _surface_rpc_value(self, record, field):
        """The record's value of ``field`` as an RPC client sends it back."""
        value = record.sudo()[field.name]
        if field.type == "many2one":
            return value.id
        if field.type in ("one2many", "many2many"):
            return [Command.set(value.ids)]
        if field.type == "date":
            return fields.Date.to_string(value)
        if field.type == "datetime":
            return fields.Datetime.to_string(value)
        if field.type == "html":
            return str(value) if value else value
        return value

    def _surface_values(self, field, role):
        """The hostile values for ``field`` as ``role`` writes it."""
        values = list(HOSTILE_VALUES)
        if not field.relational:
            return values
        comodel = field.comodel_name
        ids = {
            "another company's": self._surface_foreign(comodel, role)
            if comodel not in self.surface_owned_models
            else None,
            "another user's": self.surface_owned[COLLEAGUE].get(comodel),
            "archived": self.surface_archived.get(comodel),
            "deleted": self.surface_deleted_ids.get(comodel) or self._surface_free_id(comodel),
        }
        ids = {kind: getattr(value, "id", value) for kind, value in ids.items() if value}
        if field.type == "many2one":
            return values + list(ids.values()) + [-5, str(next(iter(ids.values()), 1))]
        for record_id in ids.values():
            values += [
                [record_id],
                [Command.link(record_id)],
                [Command.set([record_id])],
                [Command.update(record_id, {})],
                [Command.delete(record_id)],
                [Command.unlink(record_id)],
            ]
        return [
            *values,
            [Command.create({})],
            [Command.clear()],
            [Command.set([-5])],
            [(6, 0, "abc")],
            [(99, 1)],
            [("x",)],
            [Command.link(0)],
        ]

    def _surface_free_id(self, model_name):
        """An id no record of the model has (the highest one's successor)."""
        model = self.env[model_name].sudo().with_context(active_test=False)
        return (model.search([], order="id desc", limit=1).id or 0) + 1

    # -- what a write left ---------------------------------------------------------------

    def _surface_snapshot(self, record):
        """The stored, not computed fields of ``record`` (its columns, and the project's
        relations), to see what a write changed."""
        stored = [
            field
            for name, field in record._fields.items()
            if field.store and not field.compute and name not in models.MAGIC_COLUMNS
        ]
        columns = [field.name for field in stored if field.column_type]
        record.env.flush_all()
        [values] = record.env.execute_query_dict(
            SQL(
                "SELECT %s FROM %s WHERE id = %s",
                SQL(", ").join(SQL.identifier(name) for name in columns),
                SQL.identifier(record._table),
                record.id,
            )
        )
        relations = [
            field.name
            for field in stored
            if not field.column_type and is_project_module(field._module)
        ]
        record = record.sudo()
        record.invalidate_recordset(relations)
        values.update({name: tuple(record[name].ids) for name in relations})
        return values

    def _surface_stored_problems(self, record, field, sent, role, before=None):
        """What is wrong with what a write of ``sent`` to ``field`` left on ``record``."""
        record = record.sudo().with_company(self.surface_companies[self._surface_company_key(role)])
        record.invalidate_recordset()
        problems = []
        try:
            problem = self._surface_garbage(record, field, sent, role)
        except Exception:
            problem = f"reading it back failed:\n{traceback.format_exc()}"
        if problem:
            problems.append(("garbage", f"{_short(sent)}: {problem}"))
        if before is not None:
            after = self._surface_snapshot(record)
            coupled = self.SURFACE_COUPLED.get((record._name, field.name), set())
            changed = sorted(
                name
                for name in before
                if before[name] != after[name] and name != field.name and name not in coupled
            )
            if changed:
                problems.append(("other fields changed", f"{_short(sent)}: {', '.join(changed)}"))
        return problems

    def _surface_garbage(self, record, field, sent, role):
        """Why the value ``field`` holds after ``sent`` was accepted is not a valid
        value, or None."""
        stored = record[field.name]
        kind = field.type
        if kind in ("char", "text", "html", "selection"):
            if _is_blank(stored):
                return None if _is_blank(sent) or kind == "html" else f"stored {stored!r}"
            if not isinstance(stored, str):
                return f"stored {type(stored).__name__}"
            if "\x00" in stored:
                return "stored a NUL character"
            default = CHAR_LENGTH if kind in ("char", "selection") else TEXT_LENGTH
            limit = record._tms_text_lengths.get(field.name, default)
            # The sanitizer's markup (a paragraph around a text) is not the client's.
            if len(stored) > limit and kind != "html":
                return f"stored {len(stored)} characters"
            if kind == "selection" and stored not in field.get_values(record.env):
                return f"stored {stored!r}, no choice"
            if kind == "html":
                lowered = stored.lower()
                if "<script" in lowered or "onerror" in lowered:
                    return "stored markup that runs"
            elif stored != sent:
                return f"stored {_short(stored)}"
            return None
        if kind in ("float", "monetary", "integer"):
            if isinstance(stored, bool) or not isinstance(stored, int | float):
                return f"stored {stored!r}"
            if not math.isfinite(stored):
                return f"stored {stored!r}"
            default = (
                (-INT_MAX - 1, INT_MAX) if kind == "integer" else (-NUMBER_BOUND, NUMBER_BOUND)
            )
            low, high = record._tms_number_bounds.get(field.name, default)
            if not low <= stored <= high:
                return f"stored {stored!r}, out of bounds"
            if isinstance(sent, int | float) and not isinstance(sent, bool):
                expected = field.convert_to_record(field.convert_to_cache(sent, record), record)
                if stored != expected:
                    return f"stored {stored!r}"
            return None
        if kind == "boolean":
            return None if isinstance(stored, bool) else f"stored {stored!r}"
        if kind in ("date", "datetime"):
            if stored and not isinstance(stored, date | datetime):
                return f"stored {stored!r}"
            if isinstance(sent, str) and sent:
                expected = (fields.Datetime if kind == "datetime" else fields.Date).to_date(sent)
                if stored != expected:
                    return f"stored {stored!r}"
            return None
        if kind in ("many2one", "one2many", "many2many"):
            if len(stored.exists()) != len(stored):
                return "names a record that does not exist"
            if stored and not stored.with_env(self._surface_env(role)).has_access("read"):
                return f"names {stored._name} {stored.ids}, which {role} cannot read"
            if kind == "many2one" and isinstance(sent, int) and sent and stored.id != sent:
                return f"stored {stored!r}"
            return None
        if kind == "json":
            try:
                json.dumps(stored)
            except (TypeError, ValueError):
                return f"stored {stored!r}"
        return None

    # -- the runs ------------------------------------------------------------------------

    def _run_surface(self, model_names=None, roles=None, methods=True, hostile=True):
        """The surface of ``model_names`` (default: all) as ``roles`` (default: all).
        Returns ``{kind: [finding]}`` (empty kinds left out) and the count of calls by
        kind in ``self.surface_size``."""
        all_models = surface_models(self.env)
        model_names = [name for name in all_models if model_names is None or name in model_names]
        roles = [role for role in SURFACE_ROLES if roles is None or role in roles]
        self.surface_owned_models = {name for name in all_models if self._surface_is_owned(name)}
        findings = defaultdict(list)
        for kind, texts in declaration_findings(self.env, model_names).items():
            findings[kind] += texts
        self.surface_size = defaultdict(int)
        self._surface_hostile_done = set()
        self._surface_creatable_models = {}
        with (
            RecordsWithTraceback() as self._surface_log,
            self._matrix_commit_watch(self._surface_commit),
        ):
            for name in model_names:
                model = self.env[name]
                if not model._tms_guarded_field_names() and not public_methods(model):
                    continue
                for role in roles:
                    if model._tms_guarded_field_names():
                        self._surface_reads(name, role, findings)
                        self._surface_fields(name, role, findings, hostile)
                    if methods:
                        self._surface_methods(name, role, findings)
        return {kind: cells for kind, cells in findings.items() if cells}

    def _surface_record_missing(self, findings, model_name, what):
        finding = f"{model_name}: {what}"
        if finding not in findings["no representative record"]:
            findings["no representative record"].append(finding)

    def _surface_reads(self, model_name, role, findings):
        """The guarded fields read as a list reads them (``search_read``, every record
        the role sees), and of another company's or user's record, which is refused."""
        user_model = self.env[model_name].with_env(self._surface_env(role))
        names = sorted(
            name
            for name in user_model._tms_guarded_field_names()
            if user_model._fields[name].is_accessible(user_model.env)
        )
        self.surface_size["reads"] += 1
        outcome, detail, problems = self._surface_call(
            lambda: user_model.search_read([], names, limit=80)
        )
        self._surface_report(findings, outcome, detail, problems, (model_name, role, "read"), True)
        foreign = self._surface_foreign(model_name, role)
        if not foreign or self._surface_reaches_every_company(user_model, None, role):
            return
        self.surface_size["foreign reads"] += 1
        target = foreign.with_env(user_model.env)
        outcome, detail, problems = self._surface_call(lambda: target.read(names))
        cell = (model_name, role, "read a foreign record")
        self._surface_report(findings, outcome, detail, problems, cell, False)

    def _surface_creatable(self, model_name):
        """Whether any role may create records of the model (Odoo's access rights)."""
        if model_name not in self._surface_creatable_models:
            self._surface_creatable_models[model_name] = any(
                self.env[model_name].with_env(self._surface_env(role)).has_access("create")
                for role in SURFACE_ROLES
            )
        return self._surface_creatable_models[model_name]

    def _surface_fields(self, model_name, role, findings, hostile):
        own = self._surface_own(model_name, role)
        if not own:
            self._surface_record_missing(findings, model_name, "none to write")
            return
        user_env = self._surface_env(role)
        user_model = self.env[model_name].with_env(user_env)
        guarded = sorted(user_model._tms_guarded_field_names())
        may_write = user_model._tms_allowed_fields(user_model._tms_write_access())
        may_create = user_model._tms_allowed_fields(user_model._tms_create_access())
        can_write = own.with_env(user_env).has_access("write")
        creatable = self._surface_creatable(model_name)
        can_create = creatable and user_model.has_access("create")
        foreign = self._surface_foreign(model_name, role)
        groups = self._surface_groups_key(role)
        currents = {name: self._surface_rpc_value(own, own._fields[name]) for name in guarded}
        for field_name in guarded:
            field = own._fields[field_name]
            current = currents[field_name]
            # Writes: a field the role may not write is refused whatever the value; one
            # it may, with each hostile value where Odoo's rights let it write at all.
            run_hostile = (
                hostile
                and field_name in may_write
                and can_write
                and (model_name, field_name, "write", groups) not in self._surface_hostile_done
            )
            values = self._surface_values(field, role) if run_hostile else [current]
            if run_hostile:
                self._surface_hostile_done.add((model_name, field_name, "write", groups))
                self.surface_size["hostile writes"] += len(values)
            for value in values:
                self._surface_write_cell(own, field, value, role, field_name in may_write, findings)
            if foreign and field_name in may_write:
                if self._surface_reaches_every_company(user_model, field_name, role):
                    self.surface_size["foreign writes left to Odoo's administrators"] += 1
                else:
                    self._surface_foreign_cell(foreign, field, role, findings)
            if not creatable:
                continue
            try:
                base = self._surface_create_values(model_name, role)
            except KeyError:
                self._surface_record_missing(findings, model_name, "no values to create one")
                continue
            run_hostile = (
                hostile
                and field_name in may_create
                and can_create
                and (model_name, field_name, "create", groups) not in self._surface_hostile_done
            )
            values = self._surface_values(field, role) if run_hostile else [current]
            if run_hostile:
                self._surface_hostile_done.add((model_name, field_name, "create", groups))
                self.surface_size["hostile creates"] += len(values)
            for value in values:
                self._surface_create_cell(
                    user_model, base, field, value, role, field_name in may_create, findings
                )

    def _surface_reaches_every_company(self, model, field_name, role):
        """Whether Odoo itself gives ``role`` every company's record (for this field,
        when named): administrators, on a model of Odoo's whose rules let them reach
        every company (res.company and its Settings), for an administrator's field
        (``base.group_system``)."""
        administrators = model._tms_write_access().get("base.group_system", set())
        return (
            not is_project_module(model._original_module)
            and bool(administrators)
            and (field_name is None or field_name in administrators)
            and self.surface_users[role].has_group("base.group_system")
        )

    def _surface_report(self, findings, outcome, detail, problems, cell, may):
        if outcome == "failed":
            findings["tracebacks"].append((*cell, detail))
        elif outcome == "allowed" and not may:
            findings["wrongly allowed"].append(cell)
        for kind, text in problems:
            findings[PROBLEM_KINDS[kind]].append((*cell, text))

    def _surface_write_cell(self, record, field, value, role, may, findings):
        self.surface_size["writes"] += 1
        before = self._surface_snapshot(record) if may else None
        target = record.with_env(self._surface_env(role))
        outcome, detail, problems = self._surface_call(
            lambda: target.write({field.name: value}),
            lambda _result: self._surface_stored_problems(record, field, value, role, before),
        )
        cell = (f"{record._name}.{field.name}", role, "write", _short(value))
        self._surface_report(findings, outcome, detail, problems, cell, may)

    def _surface_foreign_cell(self, record, field, role, findings):
        """A field the role may write, on another company's or user's record: refused."""
        self.surface_size["foreign writes"] += 1
        value = self._surface_rpc_value(record, field)
        target = record.with_env(self._surface_env(role))
        outcome, detail, problems = self._surface_call(lambda: target.write({field.name: value}))
        cell = (f"{record._name}.{field.name}", role, "write a foreign record", _short(value))
        self._surface_report(findings, outcome, detail, problems, cell, may=False)

    def _surface_create_cell(self, model, base, field, value, role, may, findings):
        self.surface_size["creates"] += 1
        vals = {**base, field.name: value}

        def verify(created):
            return self._surface_stored_problems(created, field, value, role)

        outcome, detail, problems = self._surface_call(lambda: model.create(vals), verify)
        cell = (f"{model._name}.{field.name}", role, "create", _short(value))
        self._surface_report(findings, outcome, detail, problems, cell, may)

    # -- methods -------------------------------------------------------------------------

    def _surface_method_allowed(self, model, method, role):
        """Whether the declaration lets ``role`` call ``method``; None for "*" (Odoo's
        own rights decide)."""
        groups = model._tms_method_access().get(method, set())
        if "*" in groups:
            return None
        user = self.surface_users[role]
        return any(user.has_group(group) for group in groups)

    def _surface_methods(self, model_name, role, findings):
        model = self.env[model_name]
        methods = public_methods(model)
        if not methods:
            return
        own = self._surface_own(model_name, role)
        foreign = self._surface_foreign(model_name, role)
        if not own:
            self._surface_record_missing(findings, model_name, "none to call methods on")
            return
        for method in methods:
            try:
                args = self._surface_method_args(model_name, method)
            except KeyError:
                signature = inspect.signature(getattr(type(model), method))
                required = [
                    parameter
                    for parameter in list(signature.parameters.values())[1:]
                    if parameter.default is parameter.empty
                    and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
                ]
                if required:
                    findings["methods without arguments to call them with"].append(
                        f"{model_name}.{method}"
                    )
                    continue
                args = ()
            allowed = self._surface_method_allowed(model, method, role)
            for record, whose in ((own, "own"), (foreign, "foreign")):
                if not record:
                    continue
                self.surface_size["method calls"] += 1
                target = record.with_env(self._surface_env(role))
                outcome, detail, problems = self._surface_call(
                    lambda target=target, method=method, args=args: getattr(target, method)(*args)
                )
                cell = (f"{model_name}.{method}", role, whose)
                if outcome == "failed":
                    findings["tracebacks"].append((*cell, detail))
                elif outcome == "allowed" and (whose == "foreign" or allowed is False):
                    findings["wrongly allowed"].append(cell)
                elif (
                    whose == "own"
                    and allowed
                    and outcome == "refused"
                    and detail.startswith(("AccessError", "MatrixHidden"))
                ):
                    findings["wrongly denied"].append((*cell, detail))
                for kind, text in problems:
                    findings[PROBLEM_KINDS[kind]].append((*cell, text))

    def _surface_summary(self, model_names=None):
        """The size of the last run, in words."""
        names = [
            name for name in surface_models(self.env) if not model_names or name in model_names
        ]
        fields_count = sum(len(self.env[name]._tms_guarded_field_names()) for name in names)
        methods_count = sum(len(public_methods(self.env[name])) for name in names)
        size = self.surface_size
        return (
            f"{len(names)} models, {fields_count} guarded fields x {len(SURFACE_ROLES)} roles: "
            f"{size['writes']} writes ({size['hostile writes']} of them hostile values, "
            f"{len(HOSTILE_VALUES)} and more by type, where a role may write), "
            f"{size['creates']} creates ({size['hostile creates']} hostile), "
            f"{size['foreign writes']} writes of another company's or user's record, "
            f"{size['reads'] + size['foreign reads']} reads; {methods_count} public methods x "
            f"{len(SURFACE_ROLES)} roles: {size['method calls']} calls on own and foreign records"
        )
