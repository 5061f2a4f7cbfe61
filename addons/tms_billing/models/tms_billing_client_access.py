"""What a client may write: one declaration per model, enforced at create and write.

Odoo's real client is RPC: every stored field a user has write access to is an input,
whatever a view shows read-only. A model that inherits this mixin declares in one place
which fields each role may write (``_tms_write_access``) and create with
(``_tms_create_access``, the write access unless overridden), as ``{group xml id: field
names}``: ``"*"`` names what every user with the model's access rights may write, and
``"nobody"`` the fields no client writes at all. An addon that adds fields to the model
adds its decisions by extending the method (``merge_access``). Every field the declaration covers
must be named there, in one of the sets: the surface test refuses a field without a
decision. On Odoo's own models it covers the fields this project adds (by the module
that defines them); on the project's models, every field.

The same goes for methods: each model says who may call each of the project's public
methods (``_tms_method_access``, ``{method: group xml ids or "*"}``), beside its fields;
a method no client calls is private. The surface test calls every one as every role.

Whatever a user sends beyond that is refused before anything is stored. The project's
own code sets such fields as superuser, after the entry check of the action that calls
it. The values themselves are checked by their field's type, for everyone who is not
the superuser: no NUL in texts and texts of bounded length, finite numbers within
bounds, ids the database can hold of records that exist and the caller may read (Odoo's
x2many commands only), dates that are dates.
"""

import json
import math
from datetime import date, datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command

# PostgreSQL's integer, the column of ids and of Integer fields.
INT_MAX = 2**31 - 1
# Bounds of numbers nobody bills, beyond which Odoo's amount computations stop working
# (1e300 makes the tax computation loop); a field may declare its own.
NUMBER_BOUND = 1e12
# Lengths beyond any text a user writes into these fields; a field may declare its own.
CHAR_LENGTH = 1000
TEXT_LENGTH = 100_000
HTML_LENGTH = 500_000  # markup around a text of TEXT_LENGTH
JSON_LENGTH = 10_000_000
# Odoo's x2many commands and their lengths: (code, id, values) at most.
COMMAND_ARITY = {
    Command.CREATE: 3,
    Command.UPDATE: 3,
    Command.DELETE: 2,
    Command.UNLINK: 2,
    Command.LINK: 2,
    Command.CLEAR: 1,
    Command.SET: 3,
}


def merge_access(*declarations):
    """One declaration of several: ``{group: field names}`` each, names added up."""
    merged = {}
    for declaration in declarations:
        for group, names in declaration.items():
            merged.setdefault(group, set()).update(names)
    return merged


def grant_access(declaration, group, names):
    """``declaration`` with ``names`` given to ``group`` as well, and no longer to
    nobody (a create access that allows what the write access keeps)."""
    names = set(names)
    granted = {
        key: (declared - names if key == "nobody" else set(declared))
        for key, declared in declaration.items()
    }
    return merge_access(granted, {group: names})


def _is_empty(value):
    """An empty value as a client sends it; 0 is a number, not an empty value."""
    return value is None or value is False


def _is_ours(module):
    return bool(module) and module.startswith("tms_billing")


def check_client_create(records, vals_list):
    """Refuse what the caller may not create ``records``' model with (see above)."""
    if records.env.su:
        return
    allowed = records._tms_allowed_fields(records._tms_create_access())
    for vals in vals_list:
        records._tms_check_client_values(vals, allowed)


def check_client_write(records, vals):
    """Refuse what the caller may not write on ``records`` (see above)."""
    if records.env.su:
        return
    allowed = records._tms_allowed_fields(records._tms_write_access())
    allowed |= records._tms_also_writable(vals)
    records._tms_check_client_values(vals, allowed)


class Base(models.AbstractModel):
    """The declaration's defaults and checks, on every model: the project's models call
    them through ``tms.billing.client.access``, Odoo's models that it extends from their
    own ``create`` and ``write`` overrides."""

    _inherit = "base"

    # {field name: (lowest, highest)} for numbers, {field name: length} for texts.
    _tms_number_bounds = {}
    _tms_text_lengths = {}

    @api.model
    def _tms_write_access(self):
        """``{group xml id, "*" or "nobody": field names}``: who may write what."""
        return {}

    @api.model
    def _tms_create_access(self):
        """Who may create with what; by default as ``_tms_write_access``."""
        return self._tms_write_access()

    @api.model
    def _tms_method_access(self):
        """``{public method: group xml ids, or "*"}``: who may call which of the
        project's public methods on records of their own companies (and their own
        previews); "*" leaves it to Odoo's rights, for Odoo's methods the project
        extends. A method no client calls is private (``_``)."""
        return {}

    def _tms_also_writable(self, vals):
        """Fields these records let anyone write beyond the declaration (for example
        what contacts receive from their company); none by default."""
        return set()

    @api.model
    def _tms_allowed_fields(self, access):
        allowed = set()
        for group, names in access.items():
            if group == "*" or (group != "nobody" and self.env.user.has_group(group)):
                allowed.update(names)
        return allowed

    @api.model
    def _tms_guarded_field_names(self):
        """The fields the declaration covers: all of a model of this project, the
        project's own on Odoo's models; never Odoo's magic fields."""
        cls = type(self)
        # Kept on the registry's class of the model, which a registry reload replaces.
        names = cls.__dict__.get("_tms_guarded_names")
        if names is None:
            ours = _is_ours(self._original_module)
            names = frozenset(
                name
                for name, field in self._fields.items()
                if name not in models.MAGIC_COLUMNS
                and name != "display_name"
                and (ours or _is_ours(field._module))
            )
            cls._tms_guarded_names = names
        return names

    @api.model
    def _tms_guarded(self, names):
        return set(names) & self._tms_guarded_field_names()

    @api.model
    def _tms_check_client_values(self, vals, allowed):
        # An x2many without commands changes nothing: a form sends its empty lists.
        guarded = {
            name
            for name in self._tms_guarded(vals)
            if not (self._fields[name].type in ("one2many", "many2many") and vals[name] == [])
        }
        refused = sorted(guarded - allowed)
        if refused:
            raise AccessError(
                self.env._(
                    "You may not change %(fields)s of %(model)s.",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        if name in self._fields
                        else name
                        for name in refused
                    ),
                    model=self._description,
                )
            )
        for name in guarded:
            self._tms_check_value(self._fields[name], vals[name])

    @api.model
    def _tms_check_value(self, field, value):
        """Refuse a value its field cannot hold or no user would mean."""
        label = field._description_string(self.env)
        if field.type in ("char", "text", "html", "selection"):
            if _is_empty(value):
                return
            if not isinstance(value, str):
                raise self._tms_value_error(label, self.env._("a text"))
            if "\x00" in value:
                raise ValidationError(
                    self.env._(
                        "%(field)s contains a character that cannot be stored (NUL).",
                        field=label,
                    )
                )
            if field.type == "selection" and value not in field.get_values(self.env):
                raise ValidationError(
                    self.env._("%(value)s is not a choice of %(field)s.", value=value, field=label)
                )
            default = {"char": CHAR_LENGTH, "selection": CHAR_LENGTH, "html": HTML_LENGTH}.get(
                field.type, TEXT_LENGTH
            )
            limit = self._tms_text_lengths.get(field.name, default)
            if len(value) > limit:
                raise ValidationError(
                    self.env._(
                        "%(field)s is longer than %(limit)s characters.", field=label, limit=limit
                    )
                )
        elif field.type in ("float", "monetary", "integer"):
            self._tms_check_number(field, label, value)
        elif field.type == "boolean":
            if not isinstance(value, bool | int) and value is not None:
                raise self._tms_value_error(label, self.env._("yes or no"))
        elif field.type in ("date", "datetime"):
            self._tms_check_date(field, label, value)
        elif field.type == "many2one":
            if not _is_empty(value):
                self._tms_check_ids(field, label, [value])
        elif field.type in ("many2many", "one2many"):
            self._tms_check_ids(field, label, self._tms_command_ids_of(field, label, value))
        elif field.type == "json":
            try:
                size = len(json.dumps(value))
            except (TypeError, ValueError):
                raise self._tms_value_error(label, self.env._("JSON data")) from None
            if size > JSON_LENGTH:
                raise ValidationError(self.env._("%(field)s is too large.", field=label))

    @api.model
    def _tms_check_number(self, field, label, value):
        if _is_empty(value):
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._tms_value_error(label, self.env._("a number"))
        if not math.isfinite(value):
            raise self._tms_value_error(label, self.env._("a finite number"))
        if field.type == "integer":
            low, high = self._tms_number_bounds.get(field.name, (-INT_MAX - 1, INT_MAX))
        else:
            low, high = self._tms_number_bounds.get(field.name, (-NUMBER_BOUND, NUMBER_BOUND))
        if not low <= value <= high:
            raise ValidationError(
                self.env._(
                    "%(field)s must be between %(low)s and %(high)s.",
                    field=label,
                    low=f"{low:g}",
                    high=f"{high:g}",
                )
            )

    @api.model
    def _tms_check_date(self, field, label, value):
        if _is_empty(value) or isinstance(value, date | datetime):
            return
        if not isinstance(value, str):
            raise self._tms_value_error(label, self.env._("a date"))
        try:
            converted = (fields.Datetime if field.type == "datetime" else fields.Date).to_date(
                value
            )
        except ValueError:
            converted = None
        if not converted:
            raise self._tms_value_error(label, self.env._("a date"))

    @api.model
    def _tms_command_ids_of(self, field, label, value):
        """The record ids an x2many value names (Odoo's commands, or a plain list of
        ids); anything else is refused."""
        if _is_empty(value):
            return []
        if not isinstance(value, list | tuple):
            raise self._tms_value_error(label, self.env._("a list of records"))
        ids = []
        for command in value:
            if isinstance(command, int) and not isinstance(command, bool):
                ids.append(command)
                continue
            code = command[0] if isinstance(command, list | tuple) and command else None
            if isinstance(code, bool) or code not in COMMAND_ARITY:
                raise self._tms_value_error(label, self.env._("a list of records"))
            if len(command) < COMMAND_ARITY[code]:
                raise self._tms_value_error(label, self.env._("a list of records"))
            if code in (Command.CREATE, Command.UPDATE) and not isinstance(command[2], dict):
                raise self._tms_value_error(label, self.env._("a list of records"))
            if code in (Command.UPDATE, Command.DELETE, Command.UNLINK, Command.LINK):
                ids.append(command[1])
            elif code == Command.SET:
                if not isinstance(command[2], list | tuple):
                    raise self._tms_value_error(label, self.env._("a list of records"))
                ids.extend(command[2])
        return ids

    @api.model
    def _tms_check_ids(self, field, label, ids):
        """Ids PostgreSQL can hold, of records that exist and the caller may read: a
        client names no record of a company or user it cannot see."""
        valid = [
            record_id
            for record_id in ids
            if isinstance(record_id, int)
            and not isinstance(record_id, bool)
            and 0 < record_id <= INT_MAX
        ]
        if len(valid) != len(ids):
            raise self._tms_value_error(label, self.env._("a record"))
        if not valid:
            return
        records = self.env[field.comodel_name].browse(valid)
        if len(records.exists()) != len(set(valid)):
            raise ValidationError(
                self.env._("%(field)s names a record that does not exist.", field=label)
            )
        records.check_access("read")

    @api.model
    def _tms_value_error(self, label, kind):
        return ValidationError(self.env._("%(field)s must be %(kind)s.", field=label, kind=kind))


class TmsBillingClientAccess(models.AbstractModel):
    """The checks at ``create`` and ``write``, for the project's own models."""

    _name = "tms.billing.client.access"
    _description = "Transport Billing: what clients may write"

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `base` to refuse what the caller may not create with."""
        check_client_create(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        """Override of `base` to refuse what the caller may not write."""
        check_client_write(self, vals)
        return super().write(vals)
