# The administrator's workspace.
admin-title = Administration
admin-yearly = Yearly data
admin-yearly-missing = Data for this or next year is missing: terms and amounts will be computed wrongly. Add:
admin-yearly-data = Data
admin-yearly-year = Year
admin-yearly-state = State
yearly-kind-mrp = MRP (monthly calculation index)
yearly-kind-calendar = Working calendar
yearly-presence-present = present
yearly-presence-assumed = provisional (assumed)
yearly-presence-missing = missing
admin-users = Users and roles
admin-users-hint = Staff accounts by provider.
admin-outbox = Mail: queue and dead letters
admin-dead-count = { $count ->
    [one] { $count } undelivered message
   *[other] { $count } undelivered messages
 }
admin-payments = Payment reconciliation
admin-payments-hint = The gateway's statement of a day against our payments.
admin-quality = Service quality
admin-quality-hint = Questionnaire answers, with charts.
admin-user-name = Full name
admin-user-role = Role
admin-user-provider = Provider
admin-user-active = Active
admin-user-change = Change
admin-user-iin = IIN
admin-user-add = Add a staff member
admin-user-added = Account { $login } created
admin-user-password-once = The password is shown once: hand it to the employee.
admin-active = active
admin-disabled = disabled
admin-all = all
admin-outbox-status = State
admin-outbox-kind = Message
admin-outbox-attempts = Attempts
admin-outbox-error = Last error
admin-outbox-action = Action
admin-outbox-empty = No messages.
admin-requeued = The message is queued again.
admin-requeue = Send again
outbox-pending = queued
outbox-sent = sent
outbox-dead = undelivered
admin-day = Day
admin-statement-lines = Lines in the gateway's statement
admin-ledger-payments = Our payments
admin-gateway-id = Gateway payment
admin-note = Note
recon-matched = Matched
recon-amount_mismatch = Amount differs
recon-status_mismatch = Status differs
recon-unattached = Without a request
recon-missing_locally = Missing here
recon-duplicate_at_gateway = Duplicates at the gateway
recon-missing_at_gateway = Missing at the gateway
recon-not_settled = Not settled
admin-from = From
admin-to = To
admin-responses = { $count ->
    [one] { $count } answer set
   *[other] { $count } answer sets
 }
admin-question = Question
quality-chart = Share of answers per questionnaire question
csv-export = Export CSV
filter = Show
save = Save
yes = yes
no = no
