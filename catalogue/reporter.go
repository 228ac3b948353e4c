package catalogue

// The words of the reporter's pages: the layout, the form, the
// conversation, the out-of-hours page and the error pages.
//
// The Welsh aims at plain, friendly Welsh as Welsh public services write
// for children: "chi" throughout, everyday negatives ("Dydy … ddim",
// "Fydd … ddim"), short sentences. A school's name is never put where
// Welsh would mutate it (after "wrth", "gyda", "yn"): a name cannot be
// mutated by a program, so those sentences are built around it.
var pages = []Entry{
	// Layout.
	{English: "Skip to main content", Welsh: "Neidio i'r prif gynnwys"},
	{English: "for %s", Welsh: "ar gyfer %s"},
	{English: "Language", Welsh: "Iaith"},
	{English: "If someone is in danger right now, call 999.", Welsh: "Os yw rhywun mewn perygl nawr, ffoniwch 999."},
	{English: `To talk to someone, call Childline free on <a href="tel:08001111">0800 1111</a>.`,
		Welsh: `I siarad â rhywun, ffoniwch Childline am ddim ar <a href="tel:08001111">0800 1111</a>.`},
	{English: "How Whisper works and what happens to your information", Welsh: "Sut mae Whisper yn gweithio a beth sy'n digwydd i'ch gwybodaeth"},
	{English: "Please check your report", Welsh: "Gwiriwch eich adroddiad"},
	{English: "Error:", Welsh: "Gwall:"},

	// The form.
	{English: "Tell %s what is worrying you – Whisper", Welsh: "%s: dywedwch wrthym beth sy'n eich poeni – Whisper"},
	{English: "Tell us what is worrying you", Welsh: "Dywedwch wrthym beth sy'n eich poeni"},
	{English: "You can report bullying, something that happened online, someone who might be at risk, or anything else that worries you. A member of staff at %s will read it.",
		Welsh: "Gallwch chi roi gwybod am fwlio, rhywbeth a ddigwyddodd ar-lein, rhywun a allai fod mewn perygl, neu unrhyw beth arall sy'n eich poeni. Bydd aelod o staff %s yn ei ddarllen."},
	{English: `You do not have to give your name. The school will <strong>not</strong> see your email address, phone number or where you are. <a href="%s">Read how Whisper keeps you safe</a>.`,
		Welsh: `Does dim rhaid i chi roi eich enw. Fydd yr ysgol <strong>ddim</strong> yn gweld eich cyfeiriad e-bost, eich rhif ffôn na ble rydych chi. <a href="%s">Darllenwch sut mae Whisper yn eich cadw chi'n ddiogel</a>.`},
	{English: "Your name", Welsh: "Eich enw"},
	{English: "(optional)", Welsh: "(dewisol)"},
	{English: "Leave this empty to stay anonymous. If you give your name, the school will see it.",
		Welsh: "Gadewch hwn yn wag i aros yn ddienw. Os byddwch chi'n rhoi eich enw, bydd yr ysgol yn ei weld."},
	{English: "What is it about?", Welsh: "Pa fath o bryder sydd gennych chi?"},
	{English: "Choose one", Welsh: "Dewiswch un"},
	{English: "What happened?", Welsh: "Beth ddigwyddodd?"},
	{English: "Say what happened, who was involved, and where and when, if you can. Up to 10,000 characters.",
		Welsh: "Dywedwch beth ddigwyddodd, pwy oedd yno, a ble a phryd, os gallwch chi. Hyd at 10,000 nod (llythrennau, rhifau a symbolau)."},
	{English: "Your email address", Welsh: "Eich cyfeiriad e-bost"},
	{English: "We will email you the link to your conversation, so you can read replies. <strong>The school will not see your email address.</strong>",
		Welsh: "Byddwn ni'n anfon dolen eich sgwrs atoch chi drwy e-bost, er mwyn i chi allu darllen atebion. <strong>Fydd yr ysgol ddim yn gweld eich cyfeiriad e-bost.</strong>"},
	{English: "Leave this empty", Welsh: "Gadewch hwn yn wag"},
	{English: "Send report", Welsh: "Anfon adroddiad"},
	{English: "We could not send this report. Please try again.", Welsh: "Doedd dim modd anfon yr adroddiad hwn. Rhowch gynnig arall arni."},

	// The conversation.
	{English: "Your conversation with %s – Whisper", Welsh: "%s: eich sgwrs – Whisper"},
	{English: "Your conversation with %s", Welsh: "%s: eich sgwrs"},
	{English: "Keep this link safe", Welsh: "Cadwch y ddolen hon yn ddiogel"},
	{English: "This page's address is the only way back to your conversation. Anyone who has it can read it, so keep it private. Bookmark it, or copy it somewhere only you can see.",
		Welsh: "Cyfeiriad y dudalen hon yw'r unig ffordd yn ôl i'ch sgwrs. Gall unrhyw un sydd â'r cyfeiriad ddarllen eich sgwrs, felly cadwch e'n breifat. Rhowch nod tudalen arni, neu copïwch y cyfeiriad i rywle lle dim ond chi sy'n gallu ei weld."},
	{English: "Your link:", Welsh: "Eich dolen:"},
	{English: `Your reference: <span class="ref">%s</span>. The school sees this reference too, but it does not open your conversation.`,
		Welsh: `Eich cyfeirnod: <span class="ref">%s</span>. Mae'r ysgol yn gweld y cyfeirnod hwn hefyd, ond dydy e ddim yn agor eich sgwrs.`},
	{English: "The school has closed this conversation. If you write again, it will open again.",
		Welsh: "Mae'r ysgol wedi cau'r sgwrs hon. Os byddwch chi'n ysgrifennu eto, bydd hi'n agor eto."},
	{English: "Messages", Welsh: "Negeseuon"},
	{English: "You", Welsh: "Chi"},
	{English: "%s at the school", Welsh: "%s o'r ysgol"},
	{English: "No reply yet. Come back to this page to see when the school answers.",
		Welsh: "Does dim ateb eto. Dewch yn ôl i'r dudalen hon i weld pryd bydd yr ysgol yn ateb."},
	{English: "Write a reply", Welsh: "Ysgrifennwch ateb"},
	{English: "You have sent a lot of messages", Welsh: "Rydych chi wedi anfon llawer o negeseuon"},
	{English: "To keep Whisper working for everyone, a conversation takes up to %d messages an hour. You can write again from %s UTC.",
		One:   "To keep Whisper working for everyone, a conversation takes up to %d message an hour. You can write again from %s UTC.",
		Welsh: "Er mwyn i Whisper weithio i bawb, gall sgwrs dderbyn hyd at %d neges yr awr. Gallwch chi ysgrifennu eto o %s UTC ymlaen."},
	{English: "Your message has not been sent. It is still in the box below, so you can send it then.",
		Welsh: "Dydy eich neges ddim wedi cael ei hanfon. Mae hi'n dal yn y blwch isod, felly gallwch chi ei hanfon bryd hynny."},
	{English: "Send reply", Welsh: "Anfon ateb"},
	{English: "This school is not using Whisper at the moment, so you cannot reply here. If you need help, talk to an adult you trust, or call Childline free on 0800 1111.",
		Welsh: "Dydy'r ysgol hon ddim yn defnyddio Whisper ar hyn o bryd, felly allwch chi ddim ateb yma. Os oes angen help arnoch chi, siaradwch ag oedolyn rydych chi'n ymddiried ynddo, neu ffoniwch Childline am ddim ar 0800 1111."},

	// The out-of-hours page.
	{English: "%s is not taking reports just now", Welsh: "Dydy %s ddim yn derbyn adroddiadau ar hyn o bryd"},
	{English: "This form is closed at the moment. Please try again later.", Welsh: "Mae'r ffurflen hon ar gau ar hyn o bryd. Rhowch gynnig arall arni yn nes ymlaen."},
	{English: "If you need help now", Welsh: "Os oes angen help arnoch chi nawr"},
	{English: "If someone is in danger right now, call <strong>999</strong>.", Welsh: "Os yw rhywun mewn perygl nawr, ffoniwch <strong>999</strong>."},
	{English: `To talk to someone, call Childline free on <a href="tel:08001111">0800 1111</a>, any time, day or night. It will not show on your phone bill.`,
		Welsh: `I siarad â rhywun, ffoniwch Childline am ddim ar <a href="tel:08001111">0800 1111</a>, unrhyw bryd, ddydd neu nos. Fydd yr alwad ddim yn ymddangos ar eich bil ffôn.`},
	{English: "Talk to an adult you trust: a parent, carer or teacher.", Welsh: "Siaradwch ag oedolyn rydych chi'n ymddiried ynddo: rhiant, gofalwr neu athro."},

	// Pages of a heading and a few paragraphs: limits and errors.
	{English: "Too many reports right now", Welsh: "Gormod o adroddiadau ar hyn o bryd"},
	{English: "Lots of reports have been sent from here in the last hour, so we cannot take another one just now. Please try again later.",
		Welsh: "Mae llawer o adroddiadau wedi cael eu hanfon o'r fan hon yn yr awr ddiwethaf, felly allwn ni ddim derbyn un arall ar hyn o bryd. Rhowch gynnig arall arni yn nes ymlaen."},
	{English: "If someone is in danger right now, call 999. To talk to someone, call Childline free on 0800 1111.",
		Welsh: "Os yw rhywun mewn perygl nawr, ffoniwch 999. I siarad â rhywun, ffoniwch Childline am ddim ar 0800 1111."},
	{English: "That was too long to send", Welsh: "Roedd hynny'n rhy hir i'w anfon"},
	{English: "A message can be up to 10,000 characters. Please go back, shorten it and send it again.",
		Welsh: "Gall neges fod hyd at 10,000 nod. Ewch yn ôl, gwnewch hi'n fyrrach a'i hanfon eto."},
	{English: "We could not read what was sent", Welsh: "Doedd dim modd darllen yr hyn a anfonwyd"},
	{English: "The field “%s” has something in it that Whisper cannot read. Please go back, take it out and send it again.",
		Welsh: "Mae rhywbeth yn y maes “%s” na all Whisper ei ddarllen. Ewch yn ôl, tynnwch e allan a'i anfon eto."},
	{English: "The web address has something in it that Whisper cannot read. Please check it and try again.",
		Welsh: "Mae rhywbeth yn y cyfeiriad gwe na all Whisper ei ddarllen. Gwiriwch y cyfeiriad a rhowch gynnig arall arni."},
	{English: "We could not find that page", Welsh: "Doedd dim modd dod o hyd i'r dudalen honno"},
	{English: "Check that the address is complete. A conversation link is long, and it only works if all of it is copied.",
		Welsh: "Gwiriwch fod y cyfeiriad yn gyflawn. Mae dolen sgwrs yn hir, a dim ond os caiff y cyfan ei gopïo y bydd hi'n gweithio."},
	{English: "If you were sent a link to your school's form, ask the school for it again.",
		Welsh: "Os cawsoch chi ddolen i ffurflen eich ysgol, gofynnwch i'r ysgol amdani eto."},
	{English: "Whisper is busy", Welsh: "Mae Whisper yn brysur"},
	{English: "Please try again in a minute. Nothing you sent has been lost.",
		Welsh: "Rhowch gynnig arall arni mewn munud. Does dim byd rydych chi wedi'i anfon wedi mynd ar goll."},
	{English: "Something was wrong with that request", Welsh: "Roedd rhywbeth o'i le ar y cais hwnnw"},
	{English: "Sorry, something went wrong", Welsh: "Mae'n ddrwg gennym, aeth rhywbeth o'i le"},
	{English: "Please try again. If it keeps happening, come back later.",
		Welsh: "Rhowch gynnig arall arni. Os yw'n dal i ddigwydd, dewch yn ôl yn nes ymlaen."},
}

// problems are the safe messages of app and domain that a reporter may
// read beside a field or at the top of the form, in their English exactly
// as app and domain write them. A %d stands for a number app or domain
// formats in (Printer.Safe finds it again).
var problems = []Entry{
	{English: "please write a message", Welsh: "ysgrifennwch neges, os gwelwch yn dda"},
	{English: "the message contains characters we cannot read", Welsh: "mae'r neges yn cynnwys nodau na allwn ni eu darllen"},
	{English: "a message is at most %d characters; this one has %d", Welsh: "gall neges fod hyd at %d nod; mae gan hon %d nod"},
	{English: "the name contains characters we cannot read", Welsh: "mae'r enw yn cynnwys nodau na allwn ni eu darllen"},
	{English: "a name is at most %d characters", Welsh: "gall enw fod hyd at %d nod"},
	{English: "that does not look like an email address (like name@example.org)", Welsh: "dydy hwn ddim yn edrych fel cyfeiriad e-bost (fel enw@example.org)"},
	{English: "Please choose what your report is about.", Welsh: "Dewiswch pa fath o bryder sydd gennych chi."},
	{English: "please choose one of the categories offered", Welsh: "dewiswch un o'r mathau o bryder sydd ar y rhestr"},
	// Texted back, once an hour, to a number whose text would open one
	// report too many (app's textsLimited); no circumflex, for GSM-7.
	{English: "Sorry, this text did not reach the school: lots of texts have come from this number in the last hour. Please try again later. If someone is in danger right now, call 999. To talk to someone, call Childline free on 0800 1111.",
		Welsh: "Mae'n ddrwg gennym, ddaeth y neges hon ddim at yr ysgol: mae llawer o negeseuon wedi dod o'r rhif hwn yn yr awr ddiwethaf. Rhowch gynnig arall arni yn nes ymlaen. Os yw rhywun mewn perygl nawr, ffoniwch 999. I siarad gyda rhywun, ffoniwch Childline am ddim ar 0800 1111."},
	{English: "Our filter stopped some words in your message. Please send it again without them – you can still tell us what happened, for example “they called me a rude name”.",
		Welsh: "Mae ein hidlydd wedi atal rhai geiriau yn eich neges. Anfonwch hi eto hebddyn nhw – gallwch chi ddal i ddweud wrthym beth ddigwyddodd, er enghraifft “fe wnaethon nhw fy ngalw i'n enw cas”."},
	{English: "We could not send this report. If someone is in danger right now, call 999.",
		Welsh: "Doedd dim modd anfon yr adroddiad hwn. Os yw rhywun mewn perygl nawr, ffoniwch 999."},
	{English: "the form could not be read", Welsh: "doedd dim modd darllen y ffurflen"},
}

// emails are the words of the emails a reporter gets (adapters/mail's
// reporter_*.txt). Each paragraph is one message.
var emails = []Entry{
	{English: "Your Whisper conversation link", Welsh: "Dolen eich sgwrs Whisper"},
	{English: "Thank you for your report. It has been sent to the school.", Welsh: "Diolch am eich adroddiad. Mae wedi cael ei anfon at yr ysgol."},
	{English: "This is the link to your conversation. Open it to read replies and to write back:",
		Welsh: "Dyma'r ddolen i'ch sgwrs. Agorwch hi i ddarllen atebion ac i ysgrifennu'n ôl:"},
	{English: "Keep this link private: anyone who has it can read your conversation. The school does not see your email address.",
		Welsh: "Cadwch y ddolen hon yn breifat: gall unrhyw un sydd â hi ddarllen eich sgwrs. Dydy'r ysgol ddim yn gweld eich cyfeiriad e-bost."},
	{English: "The school has replied to your report", Welsh: "Mae'r ysgol wedi ateb eich adroddiad"},
	{English: "The school has replied to your report on Whisper.", Welsh: "Mae'r ysgol wedi ateb eich adroddiad ar Whisper."},
	{English: "To read the reply, open your conversation link: the one in the first email we sent you, or the page you saved when you sent your report.",
		Welsh: "I ddarllen yr ateb, agorwch ddolen eich sgwrs: yr un yn yr e-bost cyntaf a anfonon ni atoch chi, neu'r dudalen a gadwoch chi pan anfonoch chi eich adroddiad."},
	{English: "For your privacy, replies are never sent by email, and we cannot send the link again: only you have it.",
		Welsh: "Er mwyn diogelu eich preifatrwydd, dydyn ni byth yn anfon atebion drwy e-bost, ac allwn ni ddim anfon y ddolen eto: dim ond chi sydd â hi."},
}

// texts are the SMS texts a reporter gets (adapters/sms). Welsh texts
// avoid the circumflex (â, ô, ŵ, ŷ), which GSM-7 lacks: one such letter
// would make the whole text UCS-2, at less than half the characters a
// segment.
var texts = []Entry{
	{English: "Thank you, your report has been sent to the school. Read replies and write back here (keep this link private): %s",
		Welsh: "Diolch, mae eich adroddiad wedi mynd at yr ysgol. Darllenwch atebion ac atebwch yma (cadwch y ddolen yn breifat): %s"},
	{English: "%s is not taking reports by text just now. If someone is in danger right now, call 999. To talk to someone, call Childline free on 0800 1111.",
		Welsh: "Dydy %s ddim yn derbyn adroddiadau drwy neges destun ar hyn o bryd. Os yw rhywun mewn perygl nawr, ffoniwch 999. I siarad gyda rhywun, ffoniwch Childline am ddim ar 0800 1111."},
	{English: "You have sent a lot of messages in the last hour, so we cannot pass on any more to the school just now. Please send your message again in an hour. If someone is in danger right now, call 999. To talk to someone, call Childline free on 0800 1111.",
		Welsh: "Rydych chi wedi anfon llawer o negeseuon yn yr awr ddiwethaf, felly allwn ni ddim anfon rhagor at yr ysgol ar hyn o bryd. Anfonwch eich neges eto mewn awr. Os yw rhywun mewn perygl nawr, ffoniwch 999. I siarad gyda rhywun, ffoniwch Childline am ddim ar 0800 1111."},
	{English: "To report a worry to your school, start your text with the school's Whisper code, then your message. Your school can tell you its code. If someone is in danger now, call 999.",
		Welsh: "I roi gwybod am bryder, dechreuwch eich neges gyda chod Whisper eich ysgol (gofynnwch i'r ysgol). Os oes perygl nawr, ffoniwch 999."},
}
