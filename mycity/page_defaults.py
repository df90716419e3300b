"""The first texts of the footer's pages, written for Kherson.

Staff edit them in the admin afterwards (mycity.pages); the migration that
creates the pages writes these, and a page missing from the database (a
flushed test database, a superuser's mistake) is restored from them.
"""

# A Markdown paragraph is one line, as staff will see and edit it.
# ruff: noqa: E501

# {words} in braces are replaced with the current settings (mycity.pages.placeholders),
# so the controller and the terms stay accurate.
PRIVACY_UK = """\
Це повідомлення пояснює, які ваші персональні дані обробляє портал «Моє місто», навіщо, як довго, хто їх бачить і як ви можете ними розпорядитися, відповідно до Закону України «Про захист персональних даних».

## Хто володіє вашими даними

Володілець персональних даних — {controller}, {controller_address}. Електронна пошта: {controller_email}. Гаряча лінія міста: {hotline}.

## Які дані ми обробляємо

- **Обліковий запис:** електронна пошта, повне ім'я, публічне ім'я, телефон (якщо ви його вказали), мова, домашній район, місце проживання (населений пункт і вулиця), час прийняття цього повідомлення.
- **Пільговий статус** (якщо ви його заявили, стаття 20 Закону «Про звернення громадян»): категорія і реквізити посвідчення. Це чутливі дані: їх бачите ви, працівники, які їх перевіряють, і ті, хто розглядає ваші звернення (лише як позначку).
- **Звернення:** текст, категорія, місце на мапі або адреса, фотографії (ми перекодовуємо їх і видаляємо метадані, зокрема координати зйомки), коментарі, підтримки пропозицій.
- **Електронні послуги:** заяви з відповідями на запитання форми, документи, які ви завантажили, листування з працівником, записи на прийом до ЦНАП. Для запиту на публічну інформацію без облікового запису — ім'я та поштова або електронна адреса для відповіді.
- **Опитування:** ваші відповіді.
- **Сповіщення:** ваші налаштування, підписки на новини й тривоги, пристрої для push-сповіщень і чат Telegram, якщо ви їх під'єднали, і надіслані вам сповіщення.
- **Технічні дані:** cookie сеансу і мови. IP-адресу ми використовуємо лише короткочасно, щоб обмежувати зловживання, і не зберігаємо її з вашим обліковим записом.

## Навіщо

Щоб розглядати ваші звернення і заяви, як того вимагають закони «Про звернення громадян», «Про адміністративні послуги» і «Про доступ до публічної інформації», відповідати вам, проводити опитування, в яких ви берете участь, і надсилати сповіщення, які ви обрали. Підстава — ваша згода, яку ви даєте під час реєстрації, і обов'язки міської влади за цими законами.

## Хто бачить ваші дані

- Публічні сторінки показують лише ваше публічне ім'я або ініціали, ніколи — пошту чи телефон. Точна адреса непублічного звернення не показується.
- Працівники відділу, який розглядає вашу справу, і модератори бачать ваші контакти лише в цій справі; кожен такий показ записується.
- Ми не передаємо ваші дані іншим, крім випадків, визначених законом (наприклад, на запит суду). Листи, push-сповіщення і повідомлення Telegram доставляють поштові служби, служба push-сповіщень вашого браузера і Telegram — лише ті, які ви самі обрали.

## Як довго

Поки у вас є обліковий запис. Якщо ви його видалите, ваші звернення і заяви залишаться як публічний запис, якого вимагає закон, але без вашого імені та контактів. Непублічні тексти (непублічні звернення, ваші повідомлення, ваші документи) зберігаються ще {retention_years} р. і потім стираються. Відповіді на опитування залишаються в підсумках, але більше не пов'язані з вами. Архів ваших даних для завантаження зберігається {export_days} дн.

## Ваші права (стаття 8 Закону)

- знати, хто, де і навіщо обробляє ваші дані і кому їх передають;
- отримати копію всіх своїх даних: [завантажте архів](/me/data/) у кабінеті будь-коли;
- виправити їх: [змініть профіль](/me/);
- відкликати згоду і вимагати видалення даних: [видаліть обліковий запис](/me/delete/);
- заперечити проти обробки і поскаржитися Уповноваженому Верховної Ради України з прав людини або до суду.

## Як звернутися щодо своїх даних

Якщо ви не можете скористатися кабінетом, напишіть на {controller_email} або поштою на адресу {controller_address}, або зателефонуйте на гарячу лінію {hotline}. Ми відповімо не пізніше ніж за 30 календарних днів (стаття 16 Закону).
"""

PRIVACY_EN = """\
This notice explains what personal data the My City portal processes, why, for how long, who sees it and how you can control it, under the Law of Ukraine "On Personal Data Protection".

## Who keeps your data

The controller of your personal data is {controller}, {controller_address}. E-mail: {controller_email}. City hotline: {hotline}.

## What data we process

- **Your account:** e-mail, full name, public name, phone (if you gave one), language, home district, place of residence (settlement and street), when you accepted this notice.
- **Priority status** (if you declared one, Art. 20 of the Law "On Citizens' Appeals"): the category and the certificate's details. This is sensitive data: seen by you, by the staff who verify it and, as a flag only, by those who handle your requests.
- **Requests:** the text, category, the place on the map or the address, photos (we re-encode them and remove their metadata, the location where they were taken included), comments, supports of proposals.
- **E-services:** applications with the answers to the form's questions, the documents you uploaded, messages with the officer, bookings of visits to a service centre. For a request for public information without an account: a name and a postal or e-mail address for the answer.
- **Surveys:** your answers.
- **Notifications:** your settings, subscriptions to news and alerts, the devices for push notifications and the Telegram chat if you connected them, and the notifications sent to you.
- **Technical data:** the session and language cookies. We use your IP address only briefly to limit abuse and do not store it with your account.

## Why

To consider your requests and applications as the Laws "On Citizens' Appeals", "On Administrative Services" and "On Access to Public Information" require, to answer you, to run the surveys you take part in, and to send you the notifications you choose. The grounds are your consent, given when you sign up, and the city's duties under these laws.

## Who sees your data

- Public pages show only your public name or initials, never your e-mail or phone. The exact address of a private request is not shown.
- The staff of the department handling your case and the moderators see your contacts only on that case; each such display is recorded.
- We do not pass your data to anyone else, except where a law requires it (for example, a court's request). E-mails, push notifications and Telegram messages are delivered by mail services, your browser's push service and Telegram: only the ones you chose yourself.

## How long

While you keep your account. If you delete it, your requests and applications stay as the public record the law requires, without your name or contacts. Private texts (non-public requests, your messages, your documents) are kept {retention_years} more year(s) and then erased. Survey answers stay counted but are no longer linked to you. An archive of your data prepared for download is kept {export_days} day(s).

## Your rights (Art. 8 of the Law)

- to know who processes your data, where, why and who receives it;
- to get a copy of all your data: [download the archive](/me/data/) from your cabinet at any time;
- to correct it: [edit your profile](/me/);
- to withdraw your consent and have your data erased: [delete your account](/me/delete/);
- to object to the processing and to complain to the Ukrainian Parliament Commissioner for Human Rights or to a court.

## How to ask about your data

If you cannot use the cabinet, write to {controller_email} or by post to {controller_address}, or call the hotline {hotline}. We answer within 30 calendar days (Art. 16 of the Law).
"""

TERMS_UK = """\
«Моє місто» — офіційний портал міської влади Херсона для звернень мешканців, новин і тривог, опитувань та електронних послуг. Користуючись порталом, ви погоджуєтеся з цими умовами.

## Обліковий запис

- Один обліковий запис — для однієї людини. Вказуйте своє справжнє ім'я: анонімні звернення за законом не розглядаються (стаття 8 Закону «Про звернення громадян»).
- Підтвердіть свою електронну пошту. Не передавайте пароль іншим; для працівників міської влади обов'язкова двофакторна автентифікація.

## Що не можна публікувати

- образи, погрози, заклики до насильства чи ворожнечі, рекламу;
- персональні дані інших людей (імена, телефони, номери автомобілів) без їхньої згоди;
- в умовах воєнного стану — фото, відео чи описи, які розкривають розташування або переміщення Сил оборони, роботу протиповітряної оборони, місця й наслідки влучань у реальному часі.

Модератори можуть приховати такий зміст або персональні дані в публічній частині звернення; саме звернення все одно розглядається.

## Розгляд звернень і заяв

Звернення розглядаються у строки Закону «Про звернення громадян»: до 15 днів, якщо не потрібне додаткове вивчення, інакше до 30 днів, з можливим продовженням до 45 днів із поясненням причини. Строки електронних послуг указано на сторінці кожної послуги.

## Це не екстрена служба

У небезпеці телефонуйте 101, 102, 103, 104 або 112. Портал може бути недоступний під час знеструмлень і атак; сторінки, які ви вже відкривали, залишаються доступними на телефоні без зв'язку.

## Зміни умов

Ми можемо змінювати ці умови; дата останньої зміни вказана вгорі сторінки. Питання — на гарячу лінію {hotline} або на {controller_email}.
"""

TERMS_EN = """\
My City is the official portal of the Kherson city administration for residents' requests, news and alerts, surveys and e-services. By using it you accept these terms.

## Your account

- One account for one person. Give your real name: the law does not consider anonymous appeals (Art. 8 of the Law "On Citizens' Appeals").
- Confirm your e-mail address. Do not share your password; city staff must use two-factor authentication.

## What you must not publish

- insults, threats, calls to violence or hatred, advertising;
- other people's personal data (names, phone numbers, car plates) without their consent;
- under martial law, photos, videos or descriptions that reveal the positions or movements of the Defence Forces, the work of air defence, or the places and consequences of strikes in real time.

Moderators may hide such content or personal data in the public part of a request; the request itself is still considered.

## How requests and applications are considered

Requests are answered within the terms of the Law "On Citizens' Appeals": up to 15 days where no further study is needed, otherwise up to 30 days, extendable to 45 days with the reason given to you. Each e-service shows its own term on its page.

## This is not an emergency service

In danger, call 101, 102, 103, 104 or 112. The portal may be unavailable during power cuts and attacks; the pages you have already opened stay readable on your phone without a connection.

## Changes

We may change these terms; the date of the last change is shown at the top of the page. Questions: the hotline {hotline} or {controller_email}.
"""

CONTACTS_UK = """\
## Міська влада

- **{controller}**
- Адреса: {controller_address}
- Електронна пошта: [{controller_email}](mailto:{controller_email})
- Гаряча лінія міста: [{hotline}](tel:{hotline})

Письмове звернення можна подати на цьому порталі, поштою на адресу вище або особисто в центрі надання адміністративних послуг.

## Центри надання адміністративних послуг (ЦНАП)

Адреси, графік роботи і найближчі укриття — на сторінці [центрів надання послуг](/services/centres/). Там само можна записатися на прийом.

## Екстрені служби

- 101 — пожежно-рятувальна служба
- 102 — поліція
- 103 — швидка медична допомога
- 104 — аварійна газова служба
- 112 — єдиний номер екстрених служб
"""

CONTACTS_EN = """\
## The city administration

- **{controller}**
- Address: {controller_address}
- E-mail: [{controller_email}](mailto:{controller_email})
- City hotline: [{hotline}](tel:{hotline})

A written request can be filed on this portal, by post to the address above or in person at an administrative service centre.

## Administrative service centres (ЦНАП)

Addresses, opening hours and the nearest shelters are on the page of [service centres](/services/centres/), where you can also book a visit.

## Emergency services

- 101 — fire and rescue
- 102 — police
- 103 — ambulance
- 104 — gas emergency
- 112 — the single emergency number
"""

ACCESSIBILITY_UK = """\
Ми хочемо, щоб порталом «Моє місто» могли користуватися всі мешканці, зокрема люди з інвалідністю, люди похилого віку і ті, в кого є лише телефон і слабкий зв'язок.

## Стандарт

Портал створюється відповідно до настанов WCAG 2.2 рівня AA (ДСТУ EN 301 549:2022). Ми перевіряємо кожну сторінку автоматично (axe) українською та англійською і вручну — з клавіатури, на телефоні і зі збільшеним до 200 % текстом.

## Що працює

- усі форми працюють без JavaScript і з клавіатури; поля мають підписи, помилки описано словами;
- текст можна збільшити до 200 % без прокручування сторінки вбік;
- контраст тексту не нижчий за 4,5:1;
- місце на мапі можна вказати адресою або районом, без мапи;
- сторінки, які ви відкривали, доступні без зв'язку.

## Відомі обмеження

- мапа сама по собі малодоступна для програм зчитування з екрана; усі її дані є і в списках;
- документи, які завантажують мешканці, і відповіді у PDF можуть бути недоступними; попросіть текстову версію — ми її надамо.

## Повідомте нам про бар'єр

Якщо щось вам не вдається, напишіть на {controller_email} або зателефонуйте на гарячу лінію {hotline}. Ми відповімо в строки Закону «Про звернення громадян» і допоможемо отримати послугу іншим способом.
"""

ACCESSIBILITY_EN = """\
We want every resident to be able to use My City, people with disabilities, older people and those with only a phone and a weak connection included.

## The standard

The portal is built to the WCAG 2.2 level AA guidelines (DSTU EN 301 549:2022). Every page is checked automatically (axe) in Ukrainian and English, and by hand: with the keyboard, on a phone and with text enlarged to 200 %.

## What works

- every form works without JavaScript and with the keyboard; fields have labels and errors are explained in words;
- text can be enlarged to 200 % without scrolling sideways;
- text contrast is at least 4.5:1;
- a place can be given by its address or district instead of the map;
- the pages you opened stay readable without a connection.

## Known limitations

- the map itself is hard to use with a screen reader; all its data is in the lists as well;
- documents uploaded by residents and answers in PDF may not be accessible; ask for a text version and we will provide it.

## Tell us about a barrier

If something does not work for you, write to {controller_email} or call the hotline {hotline}. We answer within the terms of the Law "On Citizens' Appeals" and help you get the service another way.
"""

PAGES = [
    ("privacy", "Повідомлення про приватність", "Privacy notice", PRIVACY_UK, PRIVACY_EN),
    ("terms", "Умови користування", "Terms of use", TERMS_UK, TERMS_EN),
    (
        "contacts",
        "Контакти міської влади",
        "Contacts of the administration",
        CONTACTS_UK,
        CONTACTS_EN,
    ),
    (
        "accessibility",
        "Заява про доступність",
        "Accessibility statement",
        ACCESSIBILITY_UK,
        ACCESSIBILITY_EN,
    ),
]
