# Public pages, no sign-in: document verification (/verify) and the licence registry (/registry).

verify-title = Document verification
verify-lead = Make sure a Ruqsat document is genuine and in force: open the link of its QR code or type its ID.
verify-form-title = Document ID
verify-another = Check another document
verify-id-label = Document ID or the link from the QR code
verify-id-hint = The ID is printed under the QR code on every Ruqsat document: 22 Latin letters and digits.
verify-check = Check
verify-not-found-hint = Check the link from the QR code or the ID printed under it. Only documents issued by Ruqsat can be checked here.
verify-registry-link = Find a licence in the licence registry
verify-status = Document status
verify-status-valid-note = The document is in force.
verify-status-superseded-note = The document was re-issued: its new version is in force.
verify-status-suspended-note = The document is suspended.
verify-status-terminated-note = The document is terminated and no longer in force.
verify-status-since = Status date: { $when }
verify-reason = Basis
verify-superseded-by = New version
verify-facts = About the document
verify-document-id = ID
verify-request = Request
verify-issued = Issued
verify-signed-by = Signed by
verify-serial = Certificate serial number: { $serial }
verify-size-label = File size
verify-size = { $bytes } { $bytes ->
    [one] byte
   *[other] bytes
 }
verify-compare-title = Is your file the same
verify-compare = Compute the SHA-256 of the PDF you hold and compare it with the one above: if they match, it is the very file that was signed.
verify-offline = The signature and the status can also be checked without a browser:
verify-no-personal = This page shows no personal data of the document's holder.

doc-kind-licence = Licence for medical activity
doc-kind-licence_reissued = Licence for medical activity (re-issued)
doc-kind-licence_duplicate = Licence for medical activity (duplicate)
doc-kind-licence_appendix = Appendix to the licence for medical activity
doc-kind-appointment_ticket = Confirmation of an appointment with a doctor
doc-kind-home_call_confirmation = Confirmation of a doctor's home call
doc-kind-intake_receipt = Receipt for documents taken in
doc-kind-payment_receipt = Receipt of payment for a public service
doc-kind-phc_attachment = Attachment slip to a primary health care clinic
doc-kind-refusal = Motivated refusal of a public service
doc-kind-support_decision = Notice of material support documents for a disabled child educated at home
doc-kind-support_refusal = Motivated refusal of material support documents for a disabled child educated at home

registry-title = Licence registry
registry-lead = The public registry of licences for medical activity: issued, re-issued, suspended, resumed and terminated licences. Search by licence number or by the holder's BIN or IIN.
registry-by-number = By licence number
registry-number-label = Licence number
registry-number-hint = For example 26MH000001.
registry-number-invalid = A licence number has only Latin letters and digits, for example 26MH000001.
registry-by-holder = By holder
registry-holder-label = Holder's BIN or IIN
registry-holder-hint = 12 digits; the check digit is verified.
registry-search = Search
registry-one-field = Fill in one field: the licence number or the holder's BIN or IIN.
registry-found = { $count ->
    [one] { $count } licence found
   *[other] { $count } licences found
 }
registry-none = The registry has no licence for this search.
registry-licence = Licence No. { $number }
registry-kind = Kind
registry-holder = Holder
registry-bin = BIN { $bin }
registry-iin = IIN { $iin }
registry-status = Status
registry-issued = Issued on
registry-current = Version in force
registry-reissued-on = re-issued on { $date }
registry-verify = Verify the document
registry-history = Licence history ({ $count })
registry-event-issued = Issued
registry-event-reissued = Re-issued
registry-event-duplicate_issued = Duplicate issued
registry-event-suspended = Suspended
registry-event-resumed = Resumed
registry-event-terminated = Terminated
registry-event-document = document
registry-verify-by-id = Verify a document by its ID or the link from its QR code
