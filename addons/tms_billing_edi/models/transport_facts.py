"""What the e-invoice formats take from a transport invoice, read once for UBL and CII.

EN 16931-1:2017 semantics used here (the element numbers of its semantic model):

- BG-14 "Invoicing period" (BT-73 start, BT-74 end): the billing period of a collective
  invoice. A single invoice states BT-72 "Actual delivery date" instead: "the date on
  which the supply of goods or services was made or completed".
- BG-26 "Invoice line period" (BT-134 start, BT-135 end): the delivery dates of the
  orders an invoice line bills.
- BT-128 "Invoice line object identifier": "an identifier for an object on which the
  invoice line is based, given by the Seller", 0..1 per line, with BT-128-1 its scheme
  from UNTDID 1153; the transport order's number is such an object, code ``VN`` "Order
  number (supplier)". Not BT-132 "Referenced purchase order line reference" (issued by
  the Buyer) nor BT-133 "Invoice line Buyer accounting reference" (the Buyer's
  accounting). A line billing several orders has no single object: its orders go to
  BT-127 "Invoice line note" instead.
"""

# UNTDID 1153 "Reference code qualifier", code VN: "Order number (supplier)".
ORDER_NUMBER_SCHEME = "VN"


def invoice_facts(invoice):
    """``{"period": (start, end) or None, "delivery_date": date or None}`` of a transport
    invoice or of a credit note of one (its invoice's), None for other invoices. The
    period ends on the invoice date at the latest (``_tms_service_period``)."""
    if not invoice._tms_transport_source():
        return None
    period = invoice._tms_service_period()
    return {
        "period": period,
        "delivery_date": None if period else invoice._tms_service_date(),
    }


def line_facts(line):
    """``{"period", "order", "note"}`` of an invoice line of a transport invoice (None
    for other lines): the line's delivery dates, its one order's number, the note listing
    its several orders."""
    move = line.move_id
    source = move._tms_transport_source()
    if not source or line.display_type != "product":
        return None
    orders = move._tms_line_orders(line)
    dates = [order.tms_delivery_date for order in orders if order.tms_delivery_date]
    return {
        "period": (min(dates), max(dates)) if dates else None,
        "order": orders.name if len(orders) == 1 else None,
        "note": source._tms_line_orders_note(line) or None,
    }
