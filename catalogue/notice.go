package catalogue

// notice is the user notice (/notice): what Whisper is, anonymity, data
// protection and fair use. Its readers may be ten years old, so the Welsh,
// like the English, keeps to short everyday words; it is the text that
// most needs a Welsh speaker's review (docs/translation.md).
var notice = []Entry{
	{English: "How Whisper works", Welsh: "Sut mae Whisper yn gweithio"},
	{English: "Whisper lets you tell your school about something that worries you, without having to say it face to face. This page explains what happens to what you write.",
		Welsh: "Mae Whisper yn gadael i chi ddweud wrth eich ysgol am rywbeth sy'n eich poeni, heb orfod dweud hynny wyneb yn wyneb. Mae'r dudalen hon yn esbonio beth sy'n digwydd i'r hyn rydych chi'n ei ysgrifennu."},
	{English: "On this page", Welsh: "Ar y dudalen hon"},
	{English: "What Whisper is for", Welsh: "Beth yw pwrpas Whisper"},
	{English: "Staying anonymous", Welsh: "Aros yn ddienw"},
	{English: "Who can see what", Welsh: "Pwy sy'n gallu gweld beth"},
	{English: "What we keep, and for how long", Welsh: "Beth rydyn ni'n ei gadw, ac am faint"},
	{English: "When we might share who you are", Welsh: "Pryd gallen ni rannu pwy ydych chi"},
	{English: "Using Whisper fairly", Welsh: "Defnyddio Whisper yn deg"},
	{English: "Your rights", Welsh: "Eich hawliau"},

	{English: "You can use Whisper to tell your school about anything that worries you. For example:",
		Welsh: "Gallwch chi ddefnyddio Whisper i ddweud wrth eich ysgol am unrhyw beth sy'n eich poeni. Er enghraifft:"},
	{English: "you, or someone else, being bullied;", Welsh: "rhywun yn eich bwlio chi, neu'n bwlio rhywun arall;"},
	{English: "something online that made you feel uncomfortable;", Welsh: "rhywbeth ar-lein a wnaeth i chi deimlo'n anghyfforddus;"},
	{English: "someone at school who might be at risk or in danger;", Welsh: "rhywun yn yr ysgol a allai fod mewn perygl neu'n cael niwed;"},
	{English: "a problem you would like to talk to someone about.", Welsh: "problem yr hoffech chi siarad â rhywun amdani."},
	{English: "Pupils, parents, carers, staff and anyone else can use it. A member of staff at the school reads your report and can write back.",
		Welsh: "Gall disgyblion, rhieni, gofalwyr, staff ac unrhyw un arall ei ddefnyddio. Bydd aelod o staff yr ysgol yn darllen eich adroddiad ac yn gallu ysgrifennu'n ôl atoch chi."},
	{English: "<strong>Whisper is not for emergencies.</strong> Staff might not read your report straight away. If someone is in danger right now, call 999.",
		Welsh: "<strong>Dydy Whisper ddim ar gyfer argyfyngau.</strong> Efallai na fydd staff yn darllen eich adroddiad yn syth. Os yw rhywun mewn perygl nawr, ffoniwch 999."},

	{English: `You do not have to give your name. If you leave it out, the school sees "[Anonymous]" instead.`,
		Welsh: `Does dim rhaid i chi roi eich enw. Os na fyddwch chi'n ei roi, bydd yr ysgol yn gweld "[Anonymous]" (dienw) yn lle eich enw.`},
	{English: "The school can still guess who you are from what you write, for example if you describe something only you could know. If you want to stay anonymous, think about the details you share.",
		Welsh: "Efallai y bydd yr ysgol yn dal i ddyfalu pwy ydych chi o'r hyn rydych chi'n ei ysgrifennu, er enghraifft os ydych chi'n disgrifio rhywbeth dim ond chi allai ei wybod. Os ydych chi eisiau aros yn ddienw, meddyliwch am y manylion rydych chi'n eu rhannu."},
	{English: "After you send a report, you get a secret link to your conversation. Anyone who has the link can read the conversation, so keep it private. If you give an email address, we send the link to you there. If you texted us, we text the link back.",
		Welsh: "Ar ôl i chi anfon adroddiad, byddwch chi'n cael dolen gyfrinachol i'ch sgwrs. Gall unrhyw un sydd â'r ddolen ddarllen y sgwrs, felly cadwch hi'n breifat. Os byddwch chi'n rhoi cyfeiriad e-bost, byddwn ni'n anfon y ddolen atoch chi yno. Os anfonoch chi neges destun aton ni, byddwn ni'n anfon y ddolen yn ôl mewn neges destun."},

	{English: "<strong>The school</strong> sees your message, the name you gave (if any), the date, and what it was about. Staff who reply show you only their first name.",
		Welsh: "<strong>Mae'r ysgol</strong> yn gweld eich neges, yr enw a roesoch chi (os rhoesoch chi un), y dyddiad, a beth oedd y pwnc. Dim ond eu henw cyntaf y bydd staff sy'n ateb yn ei ddangos i chi."},
	{English: "<strong>The school does not see</strong> your email address, your phone number, your internet (IP) address, roughly where you were, which network you used, or whether you wrote on the website or by text.",
		Welsh: "<strong>Dydy'r ysgol ddim yn gweld</strong> eich cyfeiriad e-bost, eich rhif ffôn, eich cyfeiriad rhyngrwyd (IP), ble roeddech chi yn fras, pa rwydwaith wnaethoch chi ei ddefnyddio, nac a wnaethoch chi ysgrifennu ar y wefan neu mewn neges destun."},
	{English: "<strong>The people who run Whisper</strong> keep that hidden information locked away (encrypted). They look at it only when the law allows, as explained below.",
		Welsh: "<strong>Mae'r bobl sy'n rhedeg Whisper</strong> yn cadw'r wybodaeth gudd honno dan glo (wedi'i hamgryptio). Dim ond pan fydd y gyfraith yn caniatáu y byddan nhw'n edrych arni, fel sydd wedi'i esbonio isod."},

	{English: "We keep your messages, and the hidden information above, for as long as your school has chosen: 6, 12, 24 or 36 months after the conversation ends. Then we delete your name, your messages, your email address or phone number, and your internet address.",
		Welsh: "Rydyn ni'n cadw eich negeseuon, a'r wybodaeth gudd uchod, am yr amser mae eich ysgol wedi'i ddewis: 6, 12, 24 neu 36 mis ar ôl i'r sgwrs ddod i ben. Wedyn byddwn ni'n dileu eich enw, eich negeseuon, eich cyfeiriad e-bost neu'ch rhif ffôn, a'ch cyfeiriad rhyngrwyd."},
	{English: "After that we keep only numbers that cannot identify you, for example how many reports a school had each month, so schools can see how things are going.",
		Welsh: "Ar ôl hynny, dim ond rhifau sy'n methu dangos pwy ydych chi y byddwn ni'n eu cadw, er enghraifft faint o adroddiadau gafodd ysgol bob mis, er mwyn i ysgolion weld sut mae pethau'n mynd."},
	{English: "If your school saves a copy of your report in its own records, the school looks after that copy.",
		Welsh: "Os bydd eich ysgol yn cadw copi o'ch adroddiad yn ei chofnodion ei hun, yr ysgol sy'n gofalu am y copi hwnnw."},

	{English: "We do not tell your school who you are. We might have to share the hidden information only in a few serious cases:",
		Welsh: "Dydyn ni ddim yn dweud wrth eich ysgol pwy ydych chi. Dim ond mewn ychydig o achosion difrifol y gallai fod rhaid i ni rannu'r wybodaeth gudd:"},
	{English: "when the police or a court ask for it and the law says we must;", Welsh: "pan fydd yr heddlu neu lys yn gofyn amdani a'r gyfraith yn dweud bod rhaid i ni ei rhannu;"},
	{English: "when it is needed to protect someone's life or stop serious harm;", Welsh: "pan fydd ei hangen i ddiogelu bywyd rhywun neu i atal niwed difrifol;"},
	{English: "when you have agreed to it.", Welsh: "pan fyddwch chi wedi cytuno i hynny."},
	{English: "Every time this happens it is written in a record that cannot be quietly changed.",
		Welsh: "Bob tro mae hyn yn digwydd, mae'n cael ei nodi mewn cofnod na all neb ei newid yn dawel."},

	{English: "Tell the truth. Making up reports about someone can hurt them, and can get you into trouble.",
		Welsh: "Dywedwch y gwir. Gall creu adroddiadau ffug am rywun eu brifo, a gallech chi fynd i drafferth."},
	{English: "Do not use Whisper to bully or threaten anyone.", Welsh: "Peidiwch â defnyddio Whisper i fwlio neu fygwth unrhyw un."},
	{English: `Your school may have turned on a swear-word filter. If it stops your message, send it again and describe what was said instead, for example "they called me a rude name".`,
		Welsh: `Efallai fod eich ysgol wedi troi hidlydd rhegi ymlaen. Os yw'n atal eich neges, anfonwch hi eto a disgrifiwch beth gafodd ei ddweud yn lle hynny, er enghraifft "fe wnaethon nhw fy ngalw i'n enw cas".`},
	{English: "If someone misuses Whisper to harm others, the people who run it can stop them using it.",
		Welsh: "Os bydd rhywun yn camddefnyddio Whisper i niweidio pobl eraill, gall y bobl sy'n ei redeg eu hatal rhag ei ddefnyddio."},

	{English: "Data protection law gives you rights over information about you. You can ask to see what we hold about you, or ask us to delete it. Your school is responsible for the reports it receives; ask the school, or write in your conversation, and the school will tell you how.",
		Welsh: "Mae cyfraith diogelu data yn rhoi hawliau i chi dros wybodaeth amdanoch chi. Gallwch chi ofyn i weld yr wybodaeth sydd gennym ni amdanoch chi, neu ofyn i ni ei dileu. Yr ysgol sy'n gyfrifol am yr adroddiadau mae hi'n eu cael; gofynnwch i'r ysgol, neu ysgrifennwch yn eich sgwrs, a bydd yr ysgol yn dweud wrthych chi sut."},
}
