package swearing

// The dictionary go-away searches. go-away looks for each entry as a plain
// substring of the sanitised text: lower case, accents gone, leetspeak
// undone, every character that is not a letter, digit or '*' turned into a
// space, and one space added at each end. So spaces in an entry are word
// boundaries:
//
//	"fuck"    anywhere, also inside a word: "motherfucker", "fuckwit"
//	" wank"   at the start of a word: "wankers", but not "swanky"
//	" ass "   the whole word only: not "class", "assembly", "embarrassed"
//
// An entry earns "anywhere" only if no ordinary English word contains it
// (checked against a 100,000-word British English list); the rest are
// bounded. Entries are lower case, with letters where leetspeak had digits.
//
// Left out on purpose, although go-away lists them, because a child may need
// them to disclose abuse, name a part of the body, say who they are or simply
// describe what happened, and a block policy must never stop that: anal,
// anus, balls, boob, butt, clitoris, fellate, fellatio, horny, incest, labia,
// masturbat, naked, nipple, nips, nude, pedophile, penis, porn, prostitut,
// pube, queer, rape, rapist, scrotum, sex, vagina; nazi (reporting a hate
// incident); jerk and poop (not swearing); fag (a cigarette in British
// English; "faggot" stays); flange and muff (plumbing, muffins).
//
// Kept although a child reporting bullying may quote them: slurs, and crude
// words for the body and sex. They flag a report; a block policy refuses it
// only when a word is aimed at someone, by the rule in aimed.go, and words
// for the body and sex never are.
var profanities = []string{
	// Anywhere.
	"fuck",
	"shit",
	"cunt",
	"bitch",
	"biatch",
	"bastard",
	"whore",
	"slut",
	"bollock",
	"bollok",
	"dildo",
	"jizz",
	"blowjob",
	"rimjob",
	"douchebag",
	"fudgepacker",
	"ballsack",
	"felching",
	"cocksucker",
	"dickhead",
	"knobhead",
	"bellend",
	"asshole",
	"arsehole",
	"dumbass",
	"jackass",
	"smartass",
	"fatass",
	"asswipe",
	"phuck",
	"fvck",

	// Masked by the writer, anywhere. go-away keeps '*' (see replacements);
	// leetspeak masks such as "sh!t" need no entry.
	"f*ck",
	"f**k",
	"fu*k",
	"f***",
	"sh*t",
	"b*tch",
	"c*nt",
	"c**t",
	"tw*t",
	"wh*re",
	"a**hole",
	"b*stard",
	"w*nk",

	// At the start of a word.
	" wank",    // not "swanky"
	" twat",    // not "smartwatch", "wristwatch"
	" nigger",  // not "snigger"
	" nigga",   // "niggard" is a false positive below
	" bugger",  // not "debugger"
	" crap",    // not "scrap", "scrape"
	" piss",    // pissed, pissing, pisshead
	" faggot",  //
	" tosser",  //
	" fukin",   //
	" fuking",  //
	" fck",     // fck, fcking
	" fking",   //
	" fecking", //
	" feckin",  //

	// Whole words.
	" ass ",
	" asses ",
	" arse ", // not "arsenic", "coarse", "rehearse"
	" arses ",
	" arsed ",
	" cock ", // not "peacock", "shuttlecock", "cockroach"
	" cocks ",
	" dick ", // not "Dickens"
	" dicks ",
	" prick ", // not "prickly"
	" pricks ",
	" cum ",  // not "cucumber", "circumstances", "cumulus"
	" coon ", // not "raccoon", "cocoon", "tycoon"
	" coons ",
	" dyke ",
	" dykes ",
	" retard ", // not "flame retardant"
	" retards ",
	" retarded ",
	" tits ",
	" titty ",
	" tittie ",
	" titties ",
	" turd ", // not "sturdy"
	" turds ",
	" boner ",
	" boners ",
	" pussy ", // not "pussycat"
	" pussies ",
	" hoe ", // not "shoe", "whoever", "echoes"
	" hoes ",
	" slag ",
	" slags ",
	" sket ",
	" skets ",
	" spaz ",
	" spazz ",
	" spunk ", // not "spunky"
	" choad ",
	" btch ",
	" feck ", // not "feckless"
	" fuk ",
	" stfu ", // not "restful", "wistful"
	" gtfo ",
	" wtf ",
	" skank", // skanks, skanky

	// Welsh, and English as it is spelt in Welsh, with the mutated forms a
	// name takes after "yn" ("ti'n gont", "ti'n fastad"). "Ffyc" and "ffwc"
	// begin no Welsh or English word.
	" ffyc", // ffyc, ffycin
	" ffwc", // ffwcio, ffwcin, ffwcia
	" ffoc",
	" cont ",
	" conts ",
	" gont ",
	" nghont ",
	" bastad ",
	" bastads ",
	" fastad ",
	" hwren ",
	" slwten ",
	" slwt ",
	" coc oen ", // dickhead, literally a lamb's cock
	" goc oen ",
	" twll din ", // arsehole
	" twll tin ",
	" dwll din ",
	" dwll tin ",
	" cachu ",
}

// falsePositives are removed from the sanitised text before the search, for
// the few words an unbounded entry would otherwise catch.
var falsePositives = []string{
	"scunthorpe",
	"shitake",
	"niggard",
}
