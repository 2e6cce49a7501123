# The applicant's cabinet: notifications, the quality questionnaire, the support application.
notifications-title = Notifications
notifications-unread = { $count ->
    [one] { $count } unread notification
   *[other] { $count } unread notifications
}
notifications-all-read = All notifications are read.
notifications-mark-all-read = Mark all as read
notifications-new = new
notifications-open = Open request { $number }
notifications-empty = No notifications yet. Changes to the status of your requests will appear here.
notification-kind-status_changed = Status changed
notification-kind-deadline_extended = Term extended
notification-kind-result_ready = Result ready

questionnaire-title = Rate the quality of the service
questionnaire-lead = Answer the questions: your rating helps improve the service. The questionnaire is answered once.
questionnaire-fix = Answer each question.
questionnaire-answer-required = Choose one of the answers.
questionnaire-send = Send the answers
questionnaire-thanks = Thank you! Your answers were received.
questionnaire-answered-at = Answered: { $at }
satisfaction-not_satisfied = Not satisfied
satisfaction-partly_satisfied = Partly satisfied
satisfaction-satisfied = Satisfied

field-required-when = Required when “{ $field }” is “{ $option }”.
submit-missing-first = { $count ->
    [one] To submit the request, first attach the missing document.
   *[other] To submit the request, first attach the { $count } missing documents.
}
