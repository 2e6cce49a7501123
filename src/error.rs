//! Errors that reach a user: a stable machine code ([`ErrorCode`]), an HTTP status and a
//! message in Russian, Kazakh and English (G-48). Every code is declared once, in the table
//! of [`error_codes!`] below, with its status and its three messages; a test checks that
//! each has all three, distinct from each other.

use serde::Serialize;
use std::fmt;
use utoipa::ToSchema;

/// A language of the user interface and of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ru,
    Kk,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Ru, Lang::Kk, Lang::En];

    /// A language tag (`ru`, `kk-KZ`, `en`…); anything else is Russian, the language every
    /// user of a Kazakh public service reads besides Kazakh.
    pub fn from_tag(tag: &str) -> Lang {
        let primary = tag.split(['-', '_']).next().unwrap_or("").trim();
        match primary.to_ascii_lowercase().as_str() {
            "kk" => Lang::Kk,
            "en" => Lang::En,
            _ => Lang::Ru,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::Kk => "kk",
            Lang::En => "en",
        }
    }

    /// The one of three values written in this language.
    pub fn pick<T>(self, ru: T, kk: T, en: T) -> T {
        match self {
            Lang::Ru => ru,
            Lang::Kk => kk,
            Lang::En => en,
        }
    }
}

macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:literal, $ru:literal, $kk:literal, $en:literal;)*) => {
        /// Every error code Ruqsat answers with. The wire form is the SCREAMING_SNAKE name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable machine-readable name, e.g. `IIN_CHECKSUM`.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            /// The HTTP status the code is answered with.
            pub fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)* }
            }

            /// The message for people in `lang`.
            pub fn message(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((ErrorCode::$variant, Lang::Ru) => $ru,
                      (ErrorCode::$variant, Lang::Kk) => $kk,
                      (ErrorCode::$variant, Lang::En) => $en,)*
                }
            }

            /// The code of a wire name, if there is one.
            pub fn parse(s: &str) -> Option<ErrorCode> {
                ErrorCode::ALL.iter().copied().find(|c| c.as_str() == s)
            }
        }
    };
}

// (variant = wire code, HTTP status, ru, kk, en)
#[rustfmt::skip]
error_codes! {
    MalformedJson = "MALFORMED_JSON", 400, "Некорректный JSON в запросе", "Сұраныстағы JSON қате", "The request body is not valid JSON";
    BadRequest = "BAD_REQUEST", 400, "Некорректный запрос", "Сұраныс қате", "The request is not valid";
    OffsetNotSupported = "OFFSET_NOT_SUPPORTED", 400, "Списки листаются по курсору: передайте next_cursor предыдущей страницы в параметре cursor вместо offset", "Тізімдер курсор арқылы парақталады: offset орнына алдыңғы беттің next_cursor мәнін cursor параметрінде беріңіз", "Lists page by cursor: pass the previous page's next_cursor as cursor instead of offset";
    InvalidCursor = "INVALID_CURSOR", 400, "Курсор страницы недействителен: начните список с первой страницы", "Бет курсоры жарамсыз: тізімді бірінші беттен бастаңыз", "The page cursor is not valid: start the list from its first page";
    PayloadTooLarge = "PAYLOAD_TOO_LARGE", 413, "Тело запроса превышает допустимый размер", "Сұраныс денесі рұқсат етілген көлемнен асады", "The request body is larger than allowed";
    MethodNotAllowed = "METHOD_NOT_ALLOWED", 405, "Этот метод не поддерживается для данного адреса", "Бұл әдіс осы мекенжай үшін қолданылмайды", "This method is not supported at this address";
    Unauthenticated = "UNAUTHENTICATED", 401, "Требуется вход в систему", "Жүйеге кіру қажет", "Authentication is required";
    CsrfRejected = "CSRF_REJECTED", 403, "Запрос отклонён: он отправлен с другого сайта", "Сұраныс қабылданбады: ол басқа сайттан жіберілген", "Request refused: it was sent from another site";
    ChallengeInvalid = "CHALLENGE_INVALID", 422, "Код для подписи недействителен или истёк: запросите новый", "Қол қоюға арналған код жарамсыз немесе мерзімі өтті: жаңасын сұраңыз", "The code to sign is not valid or has expired: ask for a new one";
    ResetTokenInvalid = "RESET_TOKEN_INVALID", 422, "Код восстановления пароля недействителен, уже использован или истёк: запросите новый", "Құпиясөзді қалпына келтіру коды жарамсыз, пайдаланылған немесе мерзімі өтті: жаңасын сұраңыз", "The password reset code is not valid, already used or expired: ask for a new one";
    AccountExists = "ACCOUNT_EXISTS", 409, "Учётная запись с этим ИИН уже зарегистрирована", "Осы ЖСН бар есептік жазба бұрын тіркелген", "An account with this IIN is already registered";
    InvalidCredentials = "INVALID_CREDENTIALS", 401, "Неверный логин или пароль: отказ в авторизации в связи с имеющимися нарушениями в данных", "Логин немесе құпиясөз қате", "Wrong login or password";
    TooManyAttempts = "TOO_MANY_ATTEMPTS", 429, "Слишком много неудачных попыток входа: повторите позже", "Кіру әрекеттері тым көп сәтсіз болды: кейінірек қайталаңыз", "Too many failed sign-in attempts: try again later";
    LoginBusy = "LOGIN_BUSY", 503, "Сервер проверяет слишком много паролей одновременно: повторите через несколько секунд", "Сервер бір уақытта тым көп құпиясөзді тексеруде: бірнеше секундтан соң қайталаңыз", "The server is checking too many passwords at once: try again in a few seconds";
    Forbidden = "FORBIDDEN", 403, "Недостаточно прав для этого действия", "Бұл әрекетке құқық жеткіліксіз", "You are not allowed to do this";
    ChannelNotAllowed = "CHANNEL_NOT_ALLOWED", 403, "Ваша роль не может подавать заявки по этому каналу", "Сіздің рөліңіз бұл арна арқылы өтінім бере алмайды", "Your role cannot open requests in this channel";
    ActionNotPermitted = "ACTION_NOT_PERMITTED", 403, "Это действие выполняет другой участник процесса", "Бұл әрекетті процестің басқа қатысушысы орындайды", "Another participant performs this action";
    SeparationOfDuties = "SEPARATION_OF_DUTIES", 403, "Решение принимает другой сотрудник: заявитель и принявший заявку сотрудник не решают её сами", "Шешімді басқа қызметкер қабылдайды: өтініш беруші мен өтінімді қабылдаған қызметкер оны өздері шешпейді", "Another employee decides: neither the applicant nor the employee who took the request in may decide it";
    SystemAction = "SYSTEM_ACTION", 403, "Это действие выполняется системой после проверки (оплата, ЭЦП, регистрация)", "Бұл әрекетті жүйе тексеруден кейін орындайды", "Ruqsat performs this action itself after a verified event (payment, signature, registration)";
    RequestNotFound = "REQUEST_NOT_FOUND", 404, "Заявка не найдена", "Өтінім табылмады", "Request not found";
    UnknownService = "UNKNOWN_SERVICE", 404, "Услуга не найдена в каталоге", "Қызмет каталогта табылмады", "No such service in the catalog";
    ClinicNotFound = "CLINIC_NOT_FOUND", 404, "Медицинская организация не найдена", "Медициналық ұйым табылмады", "No such clinic";
    DoctorNotFound = "DOCTOR_NOT_FOUND", 404, "Врач не найден в этой медицинской организации", "Дәрігер осы медициналық ұйымда табылмады", "No such doctor at this clinic";
    HomeCallCutoff = "HOME_CALL_CUTOFF", 422, "Вызов врача на дом принимается в день обращения до установленного времени (за 2 часа до окончания работы поликлиники)", "Дәрігерді үйге шақыру өтініш берген күні белгіленген уақытқа дейін қабылданады (емхана жұмысы аяқталғанға дейін 2 сағат бұрын)", "A home call is taken on the day until the cut-off (2 hours before the clinic closes)";
    ChannelNotInRegion = "CHANNEL_NOT_IN_REGION", 422, "В этом регионе заявки по телефону не принимаются", "Бұл өңірде телефон арқылы өтінім қабылданбайды", "This region takes no requests by telephone";
    OutsideTerritory = "OUTSIDE_TERRITORY", 422, "Адрес не входит в территорию обслуживания этой медицинской организации", "Мекенжай осы медициналық ұйымның қызмет көрсету аумағына кірмейді", "The address is outside this clinic's service territory";
    NotAttached = "NOT_ATTACHED", 422, "Услуга оказывается прикрепленному населению: вы не прикреплены к этой медицинской организации", "Қызмет тіркелген халыққа көрсетіледі: сіз осы медициналық ұйымға тіркелмегенсіз", "The service is for the attached population: you are not attached to this clinic";
    AlreadyAttached = "ALREADY_ATTACHED", 409, "Вы уже прикреплены к этой медицинской организации", "Сіз осы медициналық ұйымға тіркелгенсіз", "You are already attached to this clinic";
    SlotTaken = "SLOT_TAKEN", 409, "Это время у врача уже занято: выберите другое свободное время", "Дәрігердің бұл уақыты бос емес: басқа бос уақытты таңдаңыз", "This time is already booked: choose another free time";
    SlotNotAvailable = "SLOT_NOT_AVAILABLE", 422, "Такого свободного времени в графике приема врача нет (прошедшее время, перерыв, нерабочий день или отсутствие врача)", "Дәрігердің қабылдау кестесінде мұндай бос уақыт жоқ (өткен уақыт, үзіліс, жұмыс емес күн немесе дәрігер жоқ)", "The doctor's schedule has no such free time (past, a break, a closed day or an absence)";
    UnknownProvider = "UNKNOWN_PROVIDER", 422, "Этот орган не оказывает данную услугу", "Бұл орган осы қызметті көрсетпейді", "This provider does not provide the service";
    ProviderNotYours = "PROVIDER_NOT_YOURS", 403, "Сотрудник принимает заявления только для своего отдела", "Қызметкер өтініштерді тек өз бөлімі үшін қабылдайды", "An employee takes requests in for their own department only";
    NotFound = "NOT_FOUND", 404, "Не найдено", "Табылмады", "Not found";
    UnknownVariant = "UNKNOWN_VARIANT", 422, "Неизвестный вид услуги", "Қызметтің белгісіз түрі", "Unknown service variant";
    UnknownChannel = "UNKNOWN_CHANNEL", 422, "Неизвестный канал подачи", "Белгісіз беру арнасы", "Unknown channel";
    ApplicantKindNotAllowed = "APPLICANT_KIND_NOT_ALLOWED", 422, "Услуга недоступна для данного типа заявителя", "Қызмет өтініш берушінің бұл түріне қолжетімсіз", "This service is not available to this kind of applicant";
    ApplicantMismatch = "APPLICANT_MISMATCH", 422, "ИИН/БИН заявителя не совпадает с учетной записью", "Өтініш берушінің ЖСН/БСН есептік жазбаға сәйкес келмейді", "The applicant IIN/BIN does not match your account";
    IinFormat = "IIN_FORMAT", 422, "ИИН должен состоять из 12 цифр", "ЖСН 12 цифрдан тұруы керек", "An IIN is 12 digits";
    IinChecksum = "IIN_CHECKSUM", 422, "Неверный ИИН: не сходится контрольный разряд", "ЖСН қате: бақылау разряды сәйкес келмейді", "Invalid IIN: the check digit does not match";
    IinBirthDate = "IIN_BIRTH_DATE", 422, "Неверный ИИН: дата рождения или разряд века и пола", "ЖСН қате: туған күні немесе ғасыр мен жыныс разряды", "Invalid IIN: birth date or century/sex digit";
    BinFormat = "BIN_FORMAT", 422, "БИН должен состоять из 12 цифр", "БСН 12 цифрдан тұруы керек", "A BIN is 12 digits";
    BinChecksum = "BIN_CHECKSUM", 422, "Неверный БИН: не сходится контрольный разряд", "БСН қате: бақылау разряды сәйкес келмейді", "Invalid BIN: the check digit does not match";
    BinStructure = "BIN_STRUCTURE", 422, "Неверный БИН: месяц регистрации или тип организации", "БСН қате: тіркелу айы немесе ұйым түрі", "Invalid BIN: registration month or entity type";
    UnknownField = "UNKNOWN_FIELD", 422, "Поле отсутствует в форме услуги", "Өріс қызмет нысанында жоқ", "The form of this service has no such field";
    FieldInvalid = "FIELD_INVALID", 422, "Значение поля не соответствует формату", "Өріс мәні форматқа сәйкес келмейді", "A field value has the wrong format";
    DateOutOfRange = "DATE_OUT_OF_RANGE", 422, "Дата вне допустимого периода: документ не может быть выдан в будущем или устаревшим", "Күні рұқсат етілген кезеңнен тыс: құжат болашақта берілмейді немесе ескірген", "The date is outside the allowed period: a document cannot be dated in the future or be out of date";
    DocumentNumberInvalid = "DOCUMENT_NUMBER_INVALID", 422, "Номер документа указан неверно: нужны цифры, допустимы буквы, пробел и знаки -/№.", "Құжат нөмірі қате көрсетілген: сандар қажет, әріптер, бос орын және -/№. белгілері рұқсат етіледі", "The document number is not valid: it needs digits; letters, spaces and -/№. are allowed";
    FormIncomplete = "FORM_INCOMPLETE", 422, "Не заполнены обязательные поля формы", "Нысанның міндетті өрістері толтырылмаған", "Required form fields are missing";
    ConclusionRequired = "CONCLUSION_REQUIRED", 409, "Решение принимается после заключения комиссии: заключение не сформировано (нет кворума или мнения разделились)", "Шешім комиссия қорытындысынан кейін қабылданады: қорытынды қалыптаспаған (кворум жоқ немесе пікірлер екіге бөлінді)", "The decision follows the commission's conclusion: none is formed yet (no quorum, or the opinions are split)";
    ConclusionDisagrees = "CONCLUSION_DISAGREES", 409, "Решение противоречит заключению комиссии", "Шешім комиссия қорытындысына қайшы келеді", "The decision goes against the commission's conclusion";
    VisitRequired = "VISIT_REQUIRED", 422, "Укажите итог визита: пришел (attended), не явился (no_show) или выполнен (done)", "Келу нәтижесін көрсетіңіз: келді (attended), келмеді (no_show) немесе орындалды (done)", "Give the visit's outcome: attended, no_show or done";
    OpinionRequired = "OPINION_REQUIRED", 422, "Член комиссии указывает мнение: удовлетворить (grant) или отказать (refuse)", "Комиссия мүшесі пікірін көрсетеді: қанағаттандыру (grant) немесе бас тарту (refuse)", "A commission member gives an opinion: grant or refuse";
    OriginalNotSeen = "ORIGINAL_NOT_SEEN", 422, "Скан принят без сверки с оригиналом: отметьте, что оригинал предъявлен и проверен", "Скан түпнұсқамен салыстырылмай қабылданды: түпнұсқа ұсынылып, тексерілгенін белгілеңіз", "A scan was taken without its original being checked: mark the original as presented and checked";
    QuestionnaireNotOffered = "QUESTIONNAIRE_NOT_OFFERED", 409, "Анкета предлагается после выдачи результата или отказа", "Сауалнама нәтиже немесе бас тарту берілгеннен кейін ұсынылады", "The questionnaire is offered once a result or refusal is issued";
    QuestionnaireAnswered = "QUESTIONNAIRE_ANSWERED", 409, "Анкета по этой заявке уже заполнена", "Бұл өтінім бойынша сауалнама толтырылып қойған", "The questionnaire of this request has already been answered";
    AnswersInvalid = "ANSWERS_INVALID", 422, "Нужно ответить на каждый вопрос анкеты одним из вариантов", "Сауалнаманың әр сұрағына нұсқалардың бірімен жауап беру керек", "Answer every question of the questionnaire with one of its options";
    MissingDocuments = "MISSING_DOCUMENTS", 422, "Не приложены обязательные документы", "Міндетті құжаттар қоса берілмеген", "Required documents are not attached";
    UnknownDocumentType = "UNKNOWN_DOCUMENT_TYPE", 422, "Такой документ не предусмотрен для этой услуги и канала", "Бұл қызмет пен арна үшін мұндай құжат көзделмеген", "This document type is not part of this service and channel";
    FileTooLarge = "FILE_TOO_LARGE", 413, "Файл превышает допустимый размер", "Файл рұқсат етілген көлемнен асады", "The file is larger than allowed";
    UnsupportedFileType = "UNSUPPORTED_FILE_TYPE", 415, "Допускаются только файлы PDF, JPEG и PNG", "Тек PDF, JPEG және PNG файлдарына рұқсат етіледі", "Only PDF, JPEG and PNG files are accepted";
    ImageTooLarge = "IMAGE_TOO_LARGE", 422, "Изображение слишком большое: не более 12 000 точек по стороне и 100 млн точек всего", "Сурет тым үлкен: бір жағы 12 000 нүктеден, барлығы 100 млн нүктеден аспауы керек", "The image is too large: at most 12,000 pixels a side and 100 million pixels in all";
    PdfTooComplex = "PDF_TOO_COMPLEX", 422, "Файл PDF повреждён или слишком сложен (чрезмерная вложенность)", "PDF файлы бүлінген немесе тым күрделі (шамадан тыс кірістіру)", "The PDF is damaged or too complex (nested too deeply)";
    EmptyFile = "EMPTY_FILE", 422, "Файл пуст", "Файл бос", "The file is empty";
    NotEditable = "NOT_EDITABLE", 409, "Заявка уже отправлена и не может изменяться", "Өтінім жіберілген, оны өзгертуге болмайды", "The request was sent and can no longer change";
    IllegalTransition = "ILLEGAL_TRANSITION", 409, "Действие недопустимо в текущем статусе заявки", "Өтінімнің ағымдағы мәртебесінде әрекетке жол берілмейді", "This action is not allowed in the request's current status";
    UnknownAction = "UNKNOWN_ACTION", 422, "Неизвестное действие для этой услуги", "Бұл қызмет үшін белгісіз әрекет", "Unknown action for this service";
    PaymentNotConfirmed = "PAYMENT_NOT_CONFIRMED", 409, "Отказ в запрашиваемой услуге в связи с отсутствием оплаты за оказание услуги", "Қызмет көрсетуге төлемнің болмауына байланысты сұралған қызметтен бас тарту", "Refused: the service has not been paid for";
    SignatureRequired = "SIGNATURE_REQUIRED", 409, "Заявка должна быть подписана ЭЦП", "Өтінімге ЭЦҚ қойылуы керек", "The request must be signed with a digital signature";
    ReasonRequired = "REASON_REQUIRED", 422, "Укажите причину (мотивированный отказ)", "Себебін көрсетіңіз (дәлелді бас тарту)", "A reason is required";
    BadExtension = "BAD_EXTENSION", 422, "Новый срок должен быть позже текущего", "Жаңа мерзім ағымдағыдан кейін болуы керек", "The new due date must be later than the current one";
    ConcurrentUpdate = "CONCURRENT_UPDATE", 409, "Заявка была изменена другим пользователем, повторите действие", "Өтінімді басқа пайдаланушы өзгертті, әрекетті қайталаңыз", "The request was changed by someone else; try again";
    ApplicantNotInRegistry = "APPLICANT_NOT_IN_REGISTRY", 422, "Невозможно получить данные в связи с отсутствием данных заявителя в ГБД ФЛ/ГБД ЮЛ", "ЖТ ММБ/ЗТ ММБ-да өтініш берушінің деректері болмағандықтан деректерді алу мүмкін емес", "The applicant's data are absent from the state registry (ГБД ФЛ / ГБД ЮЛ)";
    RegistryUnavailable = "REGISTRY_UNAVAILABLE", 503, "Государственная база данных временно недоступна", "Мемлекеттік деректер базасы уақытша қолжетімсіз", "The state registry is temporarily unavailable";
    SignatureMalformed = "SIGNATURE_MALFORMED", 422, "Подпись не является CMS/PKCS#7", "Қолтаңба CMS/PKCS#7 емес", "The signature is not a CMS/PKCS#7 SignedData";
    SignatureInvalid = "SIGNATURE_INVALID", 422, "Отказ в связи с не подтверждением подлинности ЭЦП: подпись неверна", "ЭЦҚ түпнұсқалығы расталмағандықтан бас тарту: қолтаңба дұрыс емес", "Refused: the digital signature does not verify";
    SignaturePayloadMismatch = "SIGNATURE_PAYLOAD_MISMATCH", 422, "Подпись поставлена не под текущими данными заявки", "Қолтаңба өтінімнің ағымдағы деректеріне қойылмаған", "The signature is not over the request's current data";
    SignatureUntrustedIssuer = "SIGNATURE_UNTRUSTED_ISSUER", 422, "Отказ в связи с не подтверждением подлинности ЭЦП: сертификат выдан недоверенным центром", "ЭЦҚ түпнұсқалығы расталмағандықтан бас тарту: куәлікті сенімсіз орталық берген", "Refused: the certificate was not issued by a trusted certification authority";
    CertificateExpired = "CERTIFICATE_EXPIRED", 422, "Отказ в связи с не подтверждением подлинности ЭЦП: срок действия регистрационного свидетельства истек", "ЭЦҚ түпнұсқалығы расталмағандықтан бас тарту: тіркеу куәлігінің мерзімі өтті", "Refused: the certificate has expired";
    CertificateNotYetValid = "CERTIFICATE_NOT_YET_VALID", 422, "Отказ в связи с не подтверждением подлинности ЭЦП: регистрационное свидетельство еще не действует", "ЭЦҚ түпнұсқалығы расталмағандықтан бас тарту: тіркеу куәлігі әлі күшіне енбеген", "Refused: the certificate is not yet valid";
    CertificateRevoked = "CERTIFICATE_REVOKED", 422, "Отказ в связи с не подтверждением подлинности ЭЦП: регистрационное свидетельство отозвано", "ЭЦҚ түпнұсқалығы расталмағандықтан бас тарту: тіркеу куәлігі кері қайтарылған", "Refused: the certificate is revoked";
    CrlUnavailable = "CRL_UNAVAILABLE", 503, "Невозможно проверить отзыв сертификата: список отозванных недоступен, повторите позже", "Куәліктің кері қайтарылуын тексеру мүмкін емес: тізім қолжетімсіз, кейінірек қайталаңыз", "Cannot check revocation: the revocation list is unavailable; try again later";
    SignerIdentityMismatch = "SIGNER_IDENTITY_MISMATCH", 422, "Отказ в связи с не подтверждением подлинности ЭЦП: ИИН/БИН в сертификате не совпадает с ИИН/БИН в запросе", "ЭЦҚ түпнұсқалығы расталмағандықтан бас тарту: куәліктегі ЖСН/БСН сұраныстағыға сәйкес келмейді", "Refused: the IIN/BIN in the certificate does not match the request";
    CertificateKeyUsage = "CERTIFICATE_KEY_USAGE", 422, "Отказ в связи с не подтверждением подлинности ЭЦП: сертификат не предназначен для подписи", "ЭЦҚ түпнұсқалығы расталмағандықтан бас тарту: куәлік қол қоюға арналмаған", "Refused: the certificate is not meant for signing";
    ResultSignerNotConfigured = "RESULT_SIGNER_NOT_CONFIGURED", 503, "Нет ключа ЭЦП для подписи результата: ключ принявшего решение должностного лица не подключён, а печать услугодателя не настроена; обратитесь к администратору", "Нәтижеге қол қоятын ЭЦҚ кілті жоқ: шешім қабылдаған лауазымды тұлғаның кілті қосылмаған, ал көрсетушінің мөрі бапталмаған; әкімшіге хабарласыңыз", "No key to sign the result: the deciding official's own key is not connected and the provider has no seal configured; contact the administrator";
    DocumentFieldsMissing = "DOCUMENT_FIELDS_MISSING", 422, "Для формирования документа не хватает данных решения; заполните указанные поля", "Құжатты қалыптастыру үшін шешім деректері жетіспейді; көрсетілген өрістерді толтырыңыз", "The decision lacks data the document needs; fill in the fields named";
    DocumentNotFound = "DOCUMENT_NOT_FOUND", 404, "Документ не найден", "Құжат табылмады", "Document not found";
    ResultNotReady = "RESULT_NOT_READY", 404, "Результат по заявке ещё не сформирован", "Өтінім бойынша нәтиже әлі қалыптастырылмаған", "The result of this request is not ready yet";
    PaymentNotRequired = "PAYMENT_NOT_REQUIRED", 409, "Услуга бесплатна: оплата не требуется", "Қызмет тегін: төлем қажет емес", "This service is free: no payment is needed";
    PaymentNotFound = "PAYMENT_NOT_FOUND", 404, "Платёж по заявке не создан", "Өтінім бойынша төлем жасалмаған", "No payment has been created for this request";
    PaymentGatewayTimeout = "PAYMENT_GATEWAY_TIMEOUT", 504, "Платёжный шлюз не ответил вовремя; заявка ожидает оплаты, повторите попытку", "Төлем шлюзі уақытында жауап бермеді; өтінім төлемді күтуде, қайталап көріңіз", "The payment gateway did not answer in time; the request waits for payment, try again";
    PaymentGatewayUnavailable = "PAYMENT_GATEWAY_UNAVAILABLE", 503, "Платёжный шлюз недоступен; заявка ожидает оплаты, повторите попытку позже", "Төлем шлюзі қолжетімсіз; өтінім төлемді күтуде, кейінірек қайталаңыз", "The payment gateway is unavailable; the request waits for payment, try again later";
    PaymentDeclined = "PAYMENT_DECLINED", 402, "Платёж отклонён банком", "Төлемді банк қабылдамады", "The payment was declined";
    PaymentGatewayMalformed = "PAYMENT_GATEWAY_MALFORMED", 502, "Некорректный ответ платёжного шлюза", "Төлем шлюзінің жауабы қате", "The payment gateway sent a malformed answer";
    PaymentAmountMismatch = "PAYMENT_AMOUNT_MISMATCH", 409, "Сумма платежа не совпадает с суммой к оплате", "Төлем сомасы төленетін сомаға сәйкес келмейді", "The payment amount does not match the amount due";
    PaymentCurrencyMismatch = "PAYMENT_CURRENCY_MISMATCH", 409, "Валюта платежа не совпадает", "Төлем валютасы сәйкес келмейді", "The payment currency does not match";
    PaymentGatewayNotFound = "PAYMENT_GATEWAY_NOT_FOUND", 404, "Платёж не найден в платёжном шлюзе", "Төлем шлюзде табылмады", "The gateway does not know this payment";
    PaymentGatewayRejected = "PAYMENT_GATEWAY_REJECTED", 502, "Платёжный шлюз отклонил запрос", "Төлем шлюзі сұранысты қабылдамады", "The payment gateway rejected the request";
    PaymentInvalidRequest = "PAYMENT_INVALID_REQUEST", 422, "Данные платежа некорректны", "Төлем деректері қате", "The payment data are not valid";
    PaymentCallbackBadSignature = "PAYMENT_CALLBACK_BAD_SIGNATURE", 401, "Подпись уведомления платёжного шлюза неверна", "Төлем шлюзі хабарламасының қолтаңбасы қате", "The gateway notification's signature is wrong";
    PaymentCallbackStale = "PAYMENT_CALLBACK_STALE", 401, "Уведомление платёжного шлюза устарело", "Төлем шлюзінің хабарламасы ескірген", "The gateway notification is too old";
    PaymentCallbackMalformed = "PAYMENT_CALLBACK_MALFORMED", 400, "Некорректное уведомление платёжного шлюза", "Төлем шлюзінің хабарламасы қате", "The gateway notification is malformed";
    PaymentUnknown = "PAYMENT_UNKNOWN", 404, "Платёж не найден", "Төлем табылмады", "Unknown payment";
    LicenceNotFound = "LICENCE_NOT_FOUND", 422, "Действующая лицензия заявителя с этим номером не найдена в реестре", "Өтініш берушінің осы нөмірлі қолданыстағы лицензиясы тізілімде табылмады", "No licence of the applicant in force with this number in the registry";
    QualificationNotAssessed = "QUALIFICATION_NOT_ASSESSED", 409, "Сначала заполните проверочный лист квалификационных требований", "Алдымен біліктілік талаптарының тексеру парағын толтырыңыз", "Fill in the qualification checklist first";
    QualificationNotMet = "QUALIFICATION_NOT_MET", 409, "Заявитель не соответствует квалификационным требованиям: выдача невозможна, возможен мотивированный отказ", "Өтініш беруші біліктілік талаптарына сәйкес келмейді: беру мүмкін емес, дәлелді бас тарту мүмкін", "The applicant does not meet the qualification requirements: issue a motivated refusal instead";
    ChecklistIncomplete = "CHECKLIST_INCOMPLETE", 422, "Отметьте каждое применимое квалификационное требование ровно один раз", "Әрбір қолданылатын біліктілік талабын бір рет белгілеңіз", "Mark every applicable qualification item exactly once";
    RecipientRequired = "RECIPIENT_REQUIRED", 422, "Укажите получателя результата: ФИО и ИИН по предъявленному удостоверению личности", "Нәтижені алушыны көрсетіңіз: ұсынылған жеке куәлік бойынша аты-жөні және ЖСН", "Record who receives the result: full name and IIN from the identity document shown";
    Internal = "INTERNAL", 500, "Внутренняя ошибка; заявка не изменена", "Ішкі қате; өтінім өзгертілмеді", "Internal error; the request was not changed";
    RegistryNotFound = "REGISTRY_NOT_FOUND", 404, "Запись не найдена в государственной базе данных", "Мемлекеттік деректер базасында жазба табылмады", "No such record in the state registry";
    RegistryBadResponse = "REGISTRY_BAD_RESPONSE", 502, "Государственная база данных вернула некорректный ответ", "Мемлекеттік деректер базасы қате жауап қайтарды", "The state registry sent a malformed answer";
    CalendarData = "CALENDAR_DATA", 500, "Ошибка в данных производственного календаря", "Өндірістік күнтізбе деректерінде қате бар", "The working calendar data are invalid";
    WorkHoursInvalid = "WORK_HOURS_INVALID", 500, "Неверно заданы часы работы услугодателя", "Көрсетушінің жұмыс уақыты қате берілген", "The provider's working hours are invalid";
    ExtensionNotLater = "EXTENSION_NOT_LATER", 422, "Продлённый срок должен наступать позже текущего срока", "Ұзартылған мерзім ағымдағы мерзімнен кейін болуы керек", "An extended deadline must fall after the current deadline";
    ExtensionReasonRequired = "EXTENSION_REASON_REQUIRED", 422, "Укажите причину продления срока", "Мерзімді ұзарту себебін көрсетіңіз", "Give the reason for extending the deadline";
    MoneyOverflow = "MONEY_OVERFLOW", 422, "Сумма вне допустимого диапазона", "Сома рұқсат етілген ауқымнан тыс", "The amount is out of range";
    MoneyNegative = "MONEY_NEGATIVE", 422, "Сумма не может быть отрицательной", "Сома теріс бола алмайды", "The amount cannot be negative";
    MoneyPrecision = "MONEY_PRECISION", 422, "Сумма указывается с точностью до тиына", "Сома тиынға дейінгі дәлдікпен көрсетіледі", "Amounts are given to the tiyn (two decimals at most)";
    MoneyFormat = "MONEY_FORMAT", 422, "Неверный формат суммы", "Сома пішімі қате", "The amount is not a decimal number";
    FeeUnknownRule = "FEE_UNKNOWN_RULE", 500, "Правило расчёта платы не найдено в каталоге", "Төлемді есептеу ережесі каталогта табылмады", "No such fee rule in the catalog";
    FeeNoMrpForYear = "FEE_NO_MRP_FOR_YEAR", 503, "На год подачи заявки не задан МРП: плату рассчитать нельзя; обратитесь к администратору", "Өтінім берілген жылға АЕК берілмеген: төлемді есептеу мүмкін емес; әкімшіге хабарласыңыз", "No МРП is configured for the year of the request, so the fee cannot be computed; contact the administrator";
    FeeData = "FEE_DATA", 500, "Ошибка в таблице платежей", "Төлемдер кестесінде қате бар", "The fee table is invalid";
    PdfUnreadable = "PDF_UNREADABLE", 422, "Файл не является читаемым PDF", "Файл оқылатын PDF емес", "The file is not a readable PDF";
    PdfNotSigned = "PDF_NOT_SIGNED", 422, "В PDF нет электронной подписи", "PDF-те электрондық қолтаңба жоқ", "The PDF carries no signature";
    PdfSignatureMalformed = "PDF_SIGNATURE_MALFORMED", 422, "Подпись в PDF повреждена", "PDF-тегі қолтаңба бүлінген", "The PDF's signature dictionary is malformed";
    PdfByteRange = "PDF_BYTE_RANGE", 422, "Подпись PDF покрывает не весь файл: документ изменён после подписания", "PDF қолтаңбасы бүкіл файлды қамтымайды: құжат қол қойылғаннан кейін өзгертілген", "The PDF signature does not cover the whole file: the document was changed after signing";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A user-facing error. `detail` adds specifics (which field, which document).
#[derive(Debug, Clone)]
pub struct AppError {
    pub code: ErrorCode,
    pub status: u16,
    pub detail: Option<String>,
    /// Seconds after which trying again may succeed (`Retry-After`).
    pub retry_after: Option<u64>,
}

impl AppError {
    pub fn new(code: ErrorCode) -> Self {
        AppError {
            code,
            status: code.status(),
            detail: None,
            retry_after: None,
        }
    }
    /// `code`, to be tried again after `seconds`.
    pub fn retry_after(code: ErrorCode, seconds: u64) -> Self {
        AppError {
            retry_after: Some(seconds),
            detail: Some(format!("retry after {seconds} s")),
            ..AppError::new(code)
        }
    }
    pub fn with(code: ErrorCode, detail: impl Into<String>) -> Self {
        AppError {
            detail: Some(detail.into()),
            ..AppError::new(code)
        }
    }
    pub fn internal(e: impl fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        AppError::new(ErrorCode::Internal)
    }
    pub fn message(&self, lang: Lang) -> &'static str {
        self.code.message(lang)
    }
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorPayload {
                code: self.code.as_str().to_string(),
                message: Messages {
                    ru: self.message(Lang::Ru).to_string(),
                    kk: self.message(Lang::Kk).to_string(),
                    en: self.message(Lang::En).to_string(),
                },
                detail: self.detail.clone(),
            },
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

/// JSON error envelope: `{"error": {"code", "message": {"ru","kk","en"}, "detail"}}`.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorPayload,
}

#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorPayload {
    /// Stable machine-readable code, e.g. `IIN_CHECKSUM`.
    pub code: String,
    pub message: Messages,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct Messages {
    pub ru: String,
    pub kk: String,
    pub en: String,
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::new(ErrorCode::NotFound),
            other => AppError::internal(other),
        }
    }
}

/// IIN/BIN errors carry their own code (IIN_CHECKSUM, BIN_FORMAT, …).
impl From<crate::domain::identity::IdentityError> for AppError {
    fn from(e: crate::domain::identity::IdentityError) -> Self {
        AppError::with(e.code(), e.to_string())
    }
}

impl From<crate::domain::lifecycle::TransitionError> for AppError {
    fn from(e: crate::domain::lifecycle::TransitionError) -> Self {
        use crate::domain::lifecycle::TransitionError as T;
        let detail = e.to_string();
        let code = match e {
            T::UnknownAction(_) => ErrorCode::UnknownAction,
            T::IllegalTransition { .. } => ErrorCode::IllegalTransition,
            T::NotPermitted(_) => ErrorCode::ActionNotPermitted,
            T::SystemOnly(_) => ErrorCode::SystemAction,
            T::FormIncomplete(_) => ErrorCode::FormIncomplete,
            T::ConclusionRequired { .. } | T::ConclusionSplit { .. } => {
                ErrorCode::ConclusionRequired
            }
            T::ConclusionDisagrees => ErrorCode::ConclusionDisagrees,
            T::OpinionRequired => ErrorCode::OpinionRequired,
            T::VisitRequired => ErrorCode::VisitRequired,
            T::OriginalNotSeen(_) => ErrorCode::OriginalNotSeen,
            T::MissingDocuments(_) => ErrorCode::MissingDocuments,
            T::PaymentNotConfirmed => ErrorCode::PaymentNotConfirmed,
            T::SignatureRequired => ErrorCode::SignatureRequired,
            T::ReasonRequired => ErrorCode::ReasonRequired,
            T::BadExtension => ErrorCode::BadExtension,
            T::QualificationNotAssessed => ErrorCode::QualificationNotAssessed,
            T::QualificationNotMet(_) => ErrorCode::QualificationNotMet,
            T::RecipientRequired => ErrorCode::RecipientRequired,
            T::SeparationOfDuties(_) => ErrorCode::SeparationOfDuties,
        };
        AppError::with(code, detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn every_code_has_three_distinct_messages_and_a_4xx_or_5xx_status() {
        let mut seen = std::collections::BTreeSet::new();
        let mut by_message: BTreeMap<(&str, &str), ErrorCode> = BTreeMap::new();
        for &code in ErrorCode::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "duplicate code {name}");
            assert!((400..600).contains(&code.status()), "{name}");
            assert!(
                name.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{name}"
            );
            assert_eq!(ErrorCode::parse(name), Some(code));
            let [ru, kk, en] = Lang::ALL.map(|l| code.message(l).trim());
            assert!(!ru.is_empty() && !kk.is_empty() && !en.is_empty(), "{name}");
            assert!(ru != kk && ru != en && kk != en, "{name}: messages repeat");
            for (lang, m) in [("ru", ru), ("kk", kk), ("en", en)] {
                if let Some(other) = by_message.insert((lang, m), code) {
                    panic!("{name} and {other} share the {lang} message `{m}`");
                }
            }
        }
    }

    #[test]
    fn unknown_wire_name_is_not_a_code_and_statuses_come_from_the_table() {
        assert_eq!(ErrorCode::parse("NO_SUCH"), None);
        assert_eq!(AppError::new(ErrorCode::IinChecksum).status, 422);
        assert_eq!(AppError::internal("boom").code, ErrorCode::Internal);
    }

    #[test]
    fn language_tags() {
        assert_eq!(Lang::from_tag("kk-KZ"), Lang::Kk);
        assert_eq!(Lang::from_tag("en"), Lang::En);
        assert_eq!(Lang::from_tag("de"), Lang::Ru);
    }
}
