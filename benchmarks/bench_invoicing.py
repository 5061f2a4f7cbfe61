"""Odoo's own invoicing against TMS Billing's, on identical copies of the same orders.

Run through ``benchmarks/run``: it starts the private PostgreSQL, makes a fresh copy
of a database with the addons installed and passes the database options, e.g.
``benchmarks/run --orders 2000 --customers 100``.

The generated orders are committed once; every variant then runs inside a savepoint
that is rolled back afterwards, so each one starts from the same delivered orders in
the same process.
"""

import argparse
import copy
import cProfile
import json
import random
import sys
import time
from datetime import date, timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

import odoo
from odoo import SUPERUSER_ID, api
from odoo.fields import Command
from odoo.tools import config

NAME = {"fields": {"display_name": {}}}
# What the wizard's form reads when it opens: its own fields and the first page of
# the preview with every column shown.
FORM_SPEC = {
    "invoice_date": {},
    "note": {},
    "invoice_count": {},
    "exclusion_count": {},
    "currency_id": {"fields": {}},
    "amount_untaxed": {},
    "amount_total": {},
    "preview_invoice_ids": {
        "fields": {
            "currency_id": {"fields": {}},
            "partner_id": NAME,
            "invoice_partner_id": NAME,
            "company_id": NAME,
            "period": {},
            "order_count": {},
            "order_ids": NAME,
            "lines_preview": {},
            "amount_untaxed": {},
            "amount_total": {},
            "split_reason": {},
            "tax_situation": {},
        },
        "limit": 40,
    },
    "exclusion_ids": {
        "fields": {"order_id": NAME, "partner_id": NAME, "reason": {}},
        "limit": 40,
    },
}


class Rollback(Exception):
    """Raised to leave a savepoint and undo what a variant did."""


def customer_settings(rng, scenario):
    """Billing settings of one generated customer.

    ``mixed``: a realistic mix (most customers monthly, some weekly or semi-monthly,
    a few single, some aggregated or gross). ``native``: every customer collective,
    monthly, one block per order, net: the grouping Odoo's own invoicing does, so
    both sides create the same invoices.
    """
    if scenario == "native":
        return {
            "tms_invoicing_mode": "collective",
            "tms_billing_interval": "monthly",
            "tms_line_mode": "per_order",
            "tms_tax_mode": "net",
        }
    return {
        "tms_invoicing_mode": "single" if rng.random() < 0.1 else "collective",
        "tms_billing_interval": rng.choices(
            ("monthly", "semi_monthly", "weekly"), weights=(70, 15, 15)
        )[0],
        "tms_line_mode": "aggregated" if rng.random() < 0.3 else "per_order",
        "tms_tax_mode": "gross" if rng.random() < 0.2 else "net",
    }


def make_data(env, n_orders, n_customers, scenario, seed=11):
    rng = random.Random(seed)
    # Deliveries of the month before last: every billing period is over today.
    first_day = date.today().replace(day=1) - relativedelta(months=2)
    month_days = (first_day + relativedelta(months=1) - first_day).days
    country = env.ref("base.de")
    terms = env["account.payment.term"].search([], limit=2)
    customers = env["res.partner"].create(
        [
            {
                "name": f"Bench Spedition {i:04d}",
                "is_company": True,
                "street": "Hafenweg 1",
                "zip": "20457",
                "city": "Hamburg",
                "country_id": country.id,
                **customer_settings(rng, scenario),
            }
            for i in range(n_customers)
        ]
    )
    products = env["product.product"].create(
        [
            {"name": name, "type": "service", "invoice_policy": "order", "list_price": price}
            for name, price in (("Bench freight", 400.0), ("Bench waiting time", 45.0))
        ]
    )
    orders = env["sale.order"]
    for start in range(0, n_orders, 500):
        values = []
        for _i in range(start, min(start + 500, n_orders)):
            lines = [Command.create({"product_id": products[0].id, "product_uom_qty": 1})]
            if rng.random() < 0.3:
                lines.append(
                    Command.create(
                        {"product_id": products[1].id, "product_uom_qty": rng.randint(1, 4)}
                    )
                )
            values.append(
                {
                    "partner_id": rng.choice(customers).id,
                    "payment_term_id": (
                        rng.choice(terms).id
                        if scenario == "mixed" and rng.random() < 0.1
                        else False
                    ),
                    "tms_loading_place": "Hamburg",
                    "tms_unloading_place": "Berlin",
                    "tms_delivery_date": first_day + timedelta(days=rng.randrange(month_days)),
                    "order_line": lines,
                }
            )
        orders |= env["sale.order"].create(values)
    orders.action_confirm()
    env.flush_all()
    return orders


def rounds_text(first, second, text):
    """The text ``(rounds: ...)`` of two variants: ``text(seconds of first, seconds of
    second)`` for each round."""
    texts = (text(a["seconds"], b["seconds"]) for a, b in zip(first, second, strict=True))
    return f" (rounds: {', '.join(texts)})"


def median(results):
    """The result of median time (the lower middle one of an even count)."""
    ordered = sorted(results, key=lambda result: result["seconds"])
    return ordered[(len(ordered) - 1) // 2]


def measure(env, label, n_orders, run):
    """Run ``run()`` in a savepoint, print its cost, roll it back; return the figures."""
    cr = env.cr
    env.invalidate_all()
    queries_before = cr.sql_log_count
    started = time.perf_counter()
    result = {}
    try:
        with cr.savepoint():
            extra = run() or {}
            env.flush_all()
            result = {
                "seconds": time.perf_counter() - started,
                "queries": cr.sql_log_count - queries_before,
                **extra,
            }
            raise Rollback
    except Rollback:
        pass
    env.invalidate_all(flush=False)
    seconds, queries = result["seconds"], result["queries"]
    details = "".join(f", {key} {value}" for key, value in extra.items())
    print(
        f"{label:<24} {seconds:8.2f} s {queries:8d} queries {n_orders / seconds:8.1f} orders/s "
        f"{queries / n_orders:6.2f} queries/order{details}",
        flush=True,
    )
    return result


# The speed hooks of tms_billing's models/invoicing_speed.py: the run memos they keep,
# and the line amounts they prefill.
SPEED_HOOKS = (
    "origin_messages",
    "fiscal_position",
    "analytic_distribution",
    "prefill_line_amounts",
)


def switch_off_hooks(env, names):
    """Patches that make the named speed hooks call Odoo's code as outside a run."""
    from odoo.addons.tms_billing.models import invoicing_speed  # noqa: PLC0415

    memo = invoicing_speed._memo

    def without(env, name):
        return None if name in names else memo(env, name)

    patches = [patch.object(invoicing_speed, "_memo", without)]
    if "prefill_line_amounts" in names:
        patches.append(
            patch.object(
                type(env["account.move"]), "_tms_prefill_line_amounts", lambda self, vals: None
            )
        )
    return patches


def switch_off_trail(env):
    """A patch that leaves out the order trail of an invoicing run: the chatter note and
    the billing event that each invoiced order gets (``sale.order._tms_log_invoiced``)."""
    return patch.object(type(env["sale.order"]), "_tms_log_invoiced", lambda self, moves: None)


def capture_invoice_values(env, run):
    """The calls of ``account.move.create`` while ``run()`` invoices, taken in a savepoint
    that is rolled back: a list of the values each call received, links to the sale
    lines included."""
    model = type(env["account.move"])
    original = model.create
    calls = []

    def spy(records, vals_list):
        if records.env.context.get("default_move_type") == "out_invoice":
            batch = vals_list if isinstance(vals_list, list) else [vals_list]
            calls.append(copy.deepcopy(batch))
        return original(records, vals_list)

    try:
        with env.cr.savepoint(), patch.object(model, "create", spy):
            run()
            raise Rollback
    except Rollback:
        pass
    env.invalidate_all(flush=False)
    return calls


def without_sale_links(calls):
    """The invoice values of ``calls`` in one list, without their links to sale lines."""
    values_list = copy.deepcopy([values for call in calls for values in call])
    for values in values_list:
        for command in values.get("invoice_line_ids", []):
            if isinstance(command[2], dict):
                command[2].pop("sale_line_ids", None)
    return values_list


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--scenario", choices=("mixed", "native"), default="mixed")
    parser.add_argument(
        "--variants",
        default="native,floor,preview,wizard,cron",
        help="comma-separated variants to run, in this order (native, floor, preview, "
        "wizard, cron); floor: account.move.create, in one call, of exactly the invoice "
        "values ours creates (captured in a rolled-back run, without the sale links); "
        "floor-linked: the same calls of account.move.create that ours makes, with the "
        "links to the sale lines and Odoo's recomputation of the orders they cause; "
        "cron-without-trail: our cron without the chatter note and billing event of each "
        "invoiced order, to tell what that trail costs",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run the variants this many times in turn and compare the medians: on a "
        "busy machine, a slow minute then weighs on every variant alike",
    )
    parser.add_argument(
        "--profile",
        help="write a cProfile of our path (--profile-variant) to this file, and one of the "
        "floors to FILE.floor and FILE.floor-linked when they are among the variants",
    )
    parser.add_argument("--profile-variant", choices=("wizard", "cron"), default="wizard")
    parser.add_argument(
        "--without-hooks",
        default="",
        help="comma-separated speed hooks of models/invoicing_speed.py to switch off, to "
        f"measure what each gains: {', '.join(SPEED_HOOKS)}",
    )
    parser.add_argument(
        "--hook-sweep",
        action="store_true",
        help="add a variant cron-without-NAME for each speed hook (our cron with that hook "
        "switched off) to the variants, and print what each hook gains against the cron",
    )
    args, odoo_args = parser.parse_known_args()
    hook_variants = {f"cron-without-{name}" for name in SPEED_HOOKS}
    if args.hook_sweep:
        args.variants += "".join(
            f",{variant}" for variant in sorted(hook_variants) if variant not in args.variants
        )
    unknown = set(args.variants.split(",")) - {
        "native",
        "floor",
        "floor-linked",
        "preview",
        "wizard",
        "cron",
        "cron-without-trail",
        *hook_variants,
    }
    if unknown:
        parser.error(f"unknown variants: {', '.join(sorted(unknown))}")
    if args.rounds < (0 if args.profile else 1):
        parser.error("--rounds must be at least 1 (0: only the profile)")
    without_hooks = {name for name in args.without_hooks.split(",") if name}
    if without_hooks - set(SPEED_HOOKS):
        parser.error(f"unknown hooks: {', '.join(sorted(without_hooks - set(SPEED_HOOKS)))}")
    config.parse_config(odoo_args)
    odoo.tools.config["log_level"] = "warn"
    registry = odoo.modules.registry.Registry(config["db_name"])
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        started = time.perf_counter()
        orders = make_data(env, args.orders, args.customers, args.scenario)
        n = len(orders)
        elapsed = time.perf_counter() - started
        # The data is committed (this database is a throw-away copy) and analysed, so
        # PostgreSQL plans the variants' queries as it would in production.
        cr.commit()
        cr.execute("ANALYZE")
        print(
            f"data ({args.scenario}): {n} orders for {args.customers} customers in {elapsed:.1f} s"
        )
        for hook_patch in switch_off_hooks(env, without_hooks):
            hook_patch.start()
        if without_hooks:
            print(f"speed hooks switched off: {', '.join(sorted(without_hooks))}")

        def run_cron():
            # The daily cron queues the chunks, a worker cron bills them all (without its
            # commits, which would end the variant's savepoint, nor a time budget).
            env["sale.order"]._cron_tms_invoice_due_orders()
            return env["tms.billing.cron.chunk"]._cron_tms_bill_chunks(budget=10**9, commit=False)

        def hook_off(name, run):
            def without_hook():
                patches = switch_off_hooks(env, {name})
                for hook_patch in patches:
                    hook_patch.start()
                try:
                    return run()
                finally:
                    for hook_patch in reversed(patches):
                        hook_patch.stop()

            return without_hook

        def without_trail():
            with switch_off_trail(env):
                return cron()

        def native():
            moves = orders._create_invoices()
            return {"invoices": len(moves)}

        def open_wizard():
            # As the button does, then what the form reads.
            action = orders.action_tms_open_billing_wizard()
            wizard = env["tms.billing.wizard"].browse(action["res_id"])
            form = wizard.web_read(FORM_SPEC)[0]
            return wizard, form

        def wizard_preview():
            _wizard, form = open_wizard()
            size = len(json.dumps(form, default=str))
            return {"invoices": form["invoice_count"], "form kB": size // 1024}

        def wizard_create():
            wizard, _form = open_wizard()
            action = wizard.action_create_invoices()
            # The action shows the new invoices: a list of them, or the only one.
            return {"invoices": len(action["domain"][0][2]) if "domain" in action else 1}

        def cron():
            return {"invoices": len(run_cron())}

        # create() consumes its values: each run of a floor gets its own copy of the
        # captured calls, made before any clock starts.
        floor_copies = {"floor": [], "floor-linked": []}

        def floor():
            moves = (
                env["account.move"]
                .with_context(default_move_type="out_invoice")
                .create(floor_copies["floor"].pop())
            )
            return {"invoices": len(moves)}

        def floor_linked():
            Move = env["account.move"].with_context(default_move_type="out_invoice")
            moves = Move.browse()
            for call in floor_copies["floor-linked"].pop():
                moves |= Move.create(call)
            return {"invoices": len(moves)}

        floors = floor_copies.keys() & set(args.variants.split(","))
        if floors:
            floor_calls = capture_invoice_values(env, run_cron)
            copy_for = {"floor": without_sale_links, "floor-linked": copy.deepcopy}
            # A run per round, and one more for the profile.
            for _run in range(args.rounds + 1):
                for key in floors:
                    floor_copies[key].append(copy_for[key](floor_calls))
            invoices = [values for call in floor_calls for values in call]
            lines = sum(len(values.get("invoice_line_ids", [])) for values in invoices)
            print(
                f"floor: {len(invoices)} invoices of {lines} lines captured, created by ours "
                f"in {len(floor_calls)} calls",
                flush=True,
            )

        print(f"{'variant':<24} {'time':>10} {'queries':>16} {'speed':>17} {'cost':>19}")
        variants = {
            "native": ("native _create_invoices", native),
            "floor": ("floor: move create", floor),
            "floor-linked": ("floor: linked, as ours", floor_linked),
            "preview": ("ours: wizard preview", wizard_preview),
            "wizard": ("ours: wizard (all)", wizard_create),
            "cron": ("ours: cron", cron),
            "cron-without-trail": ("ours: cron w/o trail", without_trail),
        }
        for name in SPEED_HOOKS:
            variants[f"cron-without-{name}"] = (f"cron w/o {name}"[:24], hook_off(name, cron))
        runs = {key: [] for key in args.variants.split(",")}
        for round_number in range(1, args.rounds + 1):
            if args.rounds > 1:
                print(f"round {round_number}/{args.rounds}", flush=True)
            # In the order given: the order a variant runs in may matter on a busy machine.
            for key, key_runs in runs.items():
                label, run = variants[key]
                if key == "preview":
                    # A couple of seconds swing with the machine's load: time it three
                    # times and keep the median.
                    previews = [measure(env, f"{label} ({i}/3)", n, run) for i in (1, 2, 3)]
                    key_runs.append(median(previews))
                    print(f"{label + ' (median)':<24} {key_runs[-1]['seconds']:8.2f} s", flush=True)
                else:
                    key_runs.append(measure(env, label, n, run))
        if args.rounds > 1:
            print(f"medians of {args.rounds} rounds:")
            for key, key_runs in runs.items():
                result = median(key_runs)
                print(
                    f"{variants[key][0]:<24} {result['seconds']:8.2f} s {result['queries']:8d} "
                    f"queries {n / result['seconds']:8.1f} orders/s",
                    flush=True,
                )
        for base in ("native", "floor", "floor-linked"):
            for key in ("wizard", "cron", "cron-without-trail"):
                if not runs.get(base) or not runs.get(key):
                    continue
                ours, other = median(runs[key]), median(runs[base])
                time_ratio = ours["seconds"] / other["seconds"]
                query_ratio = ours["queries"] / other["queries"]
                line = (
                    f"ratio ours/{base} ({key}): time {time_ratio:.2f}x, queries {query_ratio:.2f}x"
                )
                if args.rounds > 1:
                    line += rounds_text(
                        runs[key], runs[base], lambda ours, other: f"{ours / other:.2f}x"
                    )
                print(line)
        for name in SPEED_HOOKS:
            key = f"cron-without-{name}"
            if not runs.get(key) or not runs.get("cron"):
                continue
            ours, without = median(runs["cron"]), median(runs[key])
            gain = 1 - ours["seconds"] / without["seconds"]
            line = (
                f"hook {name}: gains {gain:.1%} of the cron's time ({without['seconds']:.2f} s "
                f"without it, {ours['seconds']:.2f} s with it), queries {without['queries']} -> "
                f"{ours['queries']}"
            )
            if runs.get("floor"):
                floor_seconds = median(runs["floor"])["seconds"]
                line += f"; ours/floor without it {without['seconds'] / floor_seconds:.2f}x"
            if args.rounds > 1:
                line += rounds_text(
                    runs["cron"], runs[key], lambda ours, without: f"{1 - ours / without:.1%}"
                )
            print(line, flush=True)
        if runs.get("cron") and runs.get("cron-without-trail"):
            ours, without = median(runs["cron"]), median(runs["cron-without-trail"])
            line = (
                f"trail: the chatter notes and events of the orders take "
                f"{1 - without['seconds'] / ours['seconds']:.1%} of the cron's time "
                f"({ours['seconds'] - without['seconds']:.2f} s), queries {ours['queries']} "
                f"-> {without['queries']} without them"
            )
            if args.rounds > 1:
                line += rounds_text(
                    runs["cron"],
                    runs["cron-without-trail"],
                    lambda ours, without: f"{1 - without / ours:.1%}",
                )
            print(line, flush=True)
        if args.profile:
            profiled = [(args.profile, args.profile_variant)]
            for floor in ("floor", "floor-linked"):
                if floor in runs:
                    profiled.append((f"{args.profile}.{floor}", floor))
            for path, key in profiled:
                label, run = variants[key]
                profiler = cProfile.Profile()
                profiler.enable()
                measure(env, f"{label} (profiled)", n, run)
                profiler.disable()
                profiler.dump_stats(path)
                print(f"profile written to {path}")


if __name__ == "__main__":
    sys.exit(main())
