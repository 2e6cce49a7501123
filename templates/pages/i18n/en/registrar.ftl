# The clinic registrar's day: appointments by doctor, home calls, visit outcomes, and
# appointments taken for a caller.
clinic-day-title = Clinic day, { $date }
clinic-date = Date
clinic-show = Show
clinic-prev-day = Previous day
clinic-today = Today
clinic-next-day = Next day
clinic-call-link = Take a request
clinic-appointments = { $count ->
    [one] { $count } appointment
   *[other] { $count } appointments
 }
clinic-cabinet = room { $cabinet }
clinic-time = Time
clinic-start = Start
clinic-end = End
clinic-doctor = Doctor
clinic-patient = Patient
clinic-visit = Visit
clinic-actions = Actions
visit-attended = Attended
visit-no_show = No-show
visit-done = Done
clinic-reschedule = Reschedule
clinic-cancel = Cancel
clinic-no-appointments = No appointments on this day.
clinic-home-calls = { $count ->
    [one] { $count } home call
   *[other] { $count } home calls
 }
clinic-address = Address
clinic-district-doctor = District doctor
clinic-time-window = Arrival window
clinic-confirm = Confirm
clinic-no-home-calls = No home calls on this day.
clinic-reschedule-title = Reschedule appointment { $number }
clinic-current-slot = Booked for
clinic-new-slot = New time
clinic-reschedule-button = Move the appointment
clinic-no-slots-week = The doctor has no free time in these seven days.
clinic-next-week = The following week
clinic-call-title = A patient's request
clinic-call-lead = Find the caller by IIN and say back their name from the state database. Then book an appointment (doctor and a free time) or take a doctor home call, and sign with your digital signature.
clinic-call-lead-desk = Your region takes no requests by telephone: take the requests of people at the desk. Find the person by IIN, then book an appointment (doctor and a free time) or take a doctor home call, and sign with your digital signature.
clinic-caller-iin = IIN of the patient
clinic-caller-is = The state registry has:
clinic-channel = How the request came
clinic-slot = Free time
clinic-caller-phone = Contact phone
clinic-book = Book and sign
clinic-no-slots-day = The doctor has no free time on this day: choose another day.
clinic-show-slots = Show free time
clinic-call-home-call = Doctor home call
clinic-call-home-call-hint = A home call is for today. The address comes from the state database: check it with the caller. Then sign the call with your digital signature and confirm the doctor's arrival window on the day list.
clinic-call-home-call-button = Take the call and sign
