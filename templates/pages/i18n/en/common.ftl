# Messages shared by every page: layout, sign-in, errors, roles, states, terms.
skip-to-content = Skip to content
nav-label = Main menu
nav-services = Services
nav-my-requests = My requests
nav-queue = Queue
nav-intake = Intake
nav-clinic-day = Clinic day
nav-admin = Administration
nav-notifications = Notifications
nav-unread = { $count } unread
nav-registry = Licence registry
sign-in = Sign in
sign-out = Sign out
footer-text = Ruqsat — public services online. Every result is a signed PDF anyone can verify.

error-title = The request could not be completed
error-not-found-title = Page not found
error-forbidden-title = Access denied
error-server-title = Server error
error-code = Error code: { $code }
error-home = Back to the start page

login-title = Sign in to Ruqsat
login-login = Login
login-password = Password
login-wrong = Wrong login or password.
login-throttled = Too many failed sign-in attempts. Try again in { $minutes } { $minutes ->
    [one] minute
   *[other] minutes
 }.
login-throttled-seconds = Too many failed sign-in attempts. Try again in { $seconds } { $seconds ->
    [one] second
   *[other] seconds
 }.
login-demo-title = Demo users
login-demo-hint = Demo mode: sign in as any of these users.
login-demo-who = Who

role-applicant = Applicant
role-con_operator = Service centre (ЦОН) operator
role-official = Provider's official
role-commission_member = Commission member
role-clinic_registrar = Clinic registrar
role-admin = Administrator


deadline-same_day = on the day of the request
deadline-working_days = { $n } { $n ->
    [one] working day
   *[other] working days
 }
deadline-calendar_days = { $n } { $n ->
    [one] calendar day
   *[other] calendar days
 }
deadline-working_hours = { $n } { $n ->
    [one] working hour
   *[other] working hours
 }

list-more = Show more

register-title = Registration
register-lead = An applicant account is made with your digital signature: the IIN (and BIN) come from the certificate.
register-password-hint = At least 12 characters.
register-email = E-mail (for notifications)
register-sign = Sign with your digital signature
register-upload-hint = Without signing in the browser: sign this text with a detached CMS signature (ruqsat sign --payload file --out signature.p7s) and upload it.
register-button = Register
register-have-account = Have an account? Sign in
register-link = No account? Register with your digital signature
register-done = Your account is ready. Sign in with your new password.
