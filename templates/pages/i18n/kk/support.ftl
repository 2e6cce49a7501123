# Өтініш берушінің кабинеті: хабарламалар, сапа сауалнамасы, әлеуметтік қолдау өтінімі.
notifications-title = Хабарламалар
notifications-unread = Оқылмаған хабарламалар: { $count }
notifications-all-read = Барлық хабарлама оқылды.
notifications-mark-all-read = Барлығын оқылды деп белгілеу
notifications-new = жаңа
notifications-open = { $number } өтінімін ашу
notifications-empty = Әзірге хабарлама жоқ. Өтінімдеріңіздің мәртебесі өзгергенде осында хабарлаймыз.
notification-kind-status_changed = Мәртебе өзгерді
notification-kind-deadline_extended = Мерзім ұзартылды
notification-kind-result_ready = Нәтиже дайын

questionnaire-title = Қызмет сапасын бағалаңыз
questionnaire-lead = Сұрақтарға жауап беріңіз: бағаңыз қызмет сапасын жақсартуға көмектеседі. Сауалнама бір рет толтырылады.
questionnaire-fix = Әр сұраққа жауап беріңіз.
questionnaire-answer-required = Жауаптың бірін таңдаңыз.
questionnaire-send = Жауаптарды жіберу
questionnaire-thanks = Рақмет! Жауаптарыңыз қабылданды.
questionnaire-answered-at = Жауап берілген уақыт: { $at }
satisfaction-not_satisfied = Қанағаттанбаймын
satisfaction-partly_satisfied = Ішінара қанағаттанамын
satisfaction-satisfied = Қанағаттанамын

field-required-when = «{ $field }» өрісінде «{ $option }» таңдалса, міндетті.
submit-missing-first = Өтінімді жіберу үшін алдымен жетіспейтін құжаттарды қоса беріңіз ({ $count }).
