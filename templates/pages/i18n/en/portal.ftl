# The applicant's portal: the service catalog and requests.
services-title = Public services
services-lead = Choose a service: its conditions, fee, term and documents, as its standard sets them.
service-provider = Provider
service-fee = Fee
service-free = free of charge
service-deadline = Term
service-conditions = Conditions
service-who = Who may apply
service-result = Result
service-channels = How to apply
service-variants = Kinds of the service
service-variant = Kind
service-documents = Documents: { $channel }
service-no-documents = No documents needed.
service-apply = Apply
service-basis = Basis (points of the standard)
doc-optional = if any
doc-original = original to be checked
applicant-kind-person = individual
applicant-kind-legal_entity = legal entity

requests-title = My requests
requests-new = New request
requests-empty = You have no requests yet.
request-number = Number
request-service = Service
request-state = Status
request-due = Due
request-created = Created
request-heading = Request { $number }
request-summary = Summary
request-registered = Registered
request-extended = term extended
request-due-after-registration = runs from registration
request-documents = Results and documents
request-verify = verify
request-attachments = Attached documents
request-history = History

apply-title = Request: { $service }
apply-choose-variant = What do you need?
apply-next = Next
apply-change-variant = choose another
apply-provider = Who decides the request
apply-choose = — choose —
apply-fix-fields = { $count ->
    [one] Correct { $count } field:
   *[other] Correct { $count } fields:
 }
apply-required-note = Fields marked with an asterisk (*) are required.
apply-create = Save and go on to the documents
field-required = Fill in this field.
field-hint-text = { "" }
field-hint-date = A date, e.g. 15.03.2026.
field-hint-date_time = A date and time.
field-hint-iin = IIN: 12 digits.
field-hint-bin = BIN: 12 digits.
field-hint-email = For example name@example.kz.
field-hint-phone = For example +7 701 234 56 78.
field-hint-decimal = A number, e.g. 1500.50.
field-hint-iban = IBAN: KZ and 18 characters.
field-hint-select = { "" }
field-hint-multi_select = Tick all that apply.
field-hint-boolean = { "" }
field-hint-document_number = The document's number as written on it.
