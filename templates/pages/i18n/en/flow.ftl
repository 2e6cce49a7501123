# What an applicant does on a request's page: documents, submission, payment, signature.
upload-title = Documents
upload-missing = { $count ->
    [one] { $count } document still to attach:
   *[other] { $count } documents still to attach:
 }
upload-complete = All required documents are attached.
upload-type = Which document
upload-needed = needed
upload-file = File
upload-hint = PDF, JPEG or PNG, up to { $mb } MB.
upload-button = Upload
upload-progress = Uploaded
upload-failed = The file was not uploaded. Please try again.
submit-title = Submission
submit-hint-paid = Once the form is filled in and the documents attached, submit the request, then pay the fee and sign the request with your digital signature.
submit-hint-free = Once the form is filled in and the documents attached, submit the request and sign it with your digital signature.
submit-button = Submit the request
pay-title = Payment
pay-hint = The fee is { $amount }. You pay on the payment gateway's page and come back here afterwards.
pay-button = Pay
pay-continue = Continue the payment
sign-title = Digital signature
sign-hint = Sign the request with your digital signature: once the signature is verified, the request is registered.
sign-button = Sign
sign-lead = The signature is checked: the certificate's validity, revocation, and that its IIN/BIN is the request's.
sign-lead-employee = You sign as the employee who took the request in: your certificate's IIN must be your own.
sign-browser-title = Sign in the browser
sign-browser-hint = Choose your key file (.p12) and enter its password. The key never leaves your browser.
sign-p12 = Key file (.p12)
sign-p12-password = Key password
sign-browser-button = Sign and send
sign-upload-title = Or upload a signature made elsewhere
sign-upload-hint = A detached CMS signature made with: ruqsat sign --payload … --out … (the data to sign: request { $number }).
sign-upload-file = Signature file (CMS)
sign-upload-button = Send the signature
sign-msg-reading = Reading the key…
sign-msg-wrong-password = Wrong key password, or the file is not a .p12 key.
sign-msg-signing = Signing…
sign-msg-sending = Sending the signature…
sign-msg-no-file = Choose a key file.
sign-msg-bad-file = The file is not a .p12 key, or it is damaged.
sign-msg-unsupported-key = This key is not supported: RSA of 2048 bits or more, or ECDSA P-256, is needed.
sign-msg-failed = Signing failed.
sign-msg-done = Signature accepted.
sign-demo-key = Demo mode: your demo key, password ruqsat-demo.
sign-demo-key-link = Download the key (.p12)
withdraw-button = Withdraw the request
