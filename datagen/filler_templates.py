"""Sentence templates and general slot pools for the filler grammar (data only).

Slots: topic pools from filler_lexicon ({thing} {activity} {problem} {tip}
{place} {adj} {subject} {product}) plus the general pools below and a few
computed ones ({num} {small} {price} {big_amount} {year} {past_year} {user} {day}).
A capitalised slot ({Tip}) is filled with a capitalised value. Templates keep
fixed word runs short so two documents rarely share a word 5-gram.
"""
from __future__ import annotations


def _p(s: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in s.split("|") if x.strip())


GENERAL: dict[str, tuple[str, ...]] = {
    "name": _p("Anna|Ben|Chloe|Daniel|Emma|Farid|Grace|Hugo|Isla|Jonas|Katie|Leo|Maya|Nils|Olivia|Pedro|Priya|"
               "Rosa|Sam|Tomasz|Uma|Victor|Wendy|Yusuf|Zoe|Aidan|Bella|Carlos|Dina|Ewan|Freya|Gareth|Hannah|Ivan|"
               "Jess|Kwame|Lena|Marco|Nadia|Oscar|Paula|Rhys|Sofia|Theo|Vera|Will|Amir|Beth|Conor|Elif"),
    "surname": _p("Hughes|Novak|Brennan|Okafor|Lindqvist|Moretti|Patel|Schneider|Walsh|Duarte|Kowalski|Jansen|"
                  "Fischer|Murphy|Haddad|Larsen|Costa|Evans|Nowak|Bauer|Quinn|Rossi|Svensson|Varga|Wright|Young"),
    "city": _p("Leeds|Bristol|Lyon|Porto|Utrecht|Graz|Aarhus|Gdansk|Bologna|Ghent|Cork|Malmo|Leipzig|Bilbao|"
               "Tampere|Brno|Nantes|Seville|Groningen|Innsbruck|Cardiff|Aberdeen|Turin|Basel|Bergen|Krakow|"
               "Toulouse|Dundee|Freiburg|Linz|Norwich|Galway|Valencia|Rotterdam|Hamburg|Exeter"),
    "relative": _p("my brother|my sister|my neighbour|my dad|my mum|my partner|my uncle|my aunt|my colleague|"
                   "my best friend|my flatmate|my grandmother|my cousin|my son|my daughter|my old boss"),
    "weekday": _p("Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"),
    "month": _p("January|February|March|April|May|June|July|August|September|October|November|December"),
    "duration": _p("three weeks|two months|half a year|almost a year|two years|a long weekend|six weeks|"
                   "nearly four years|a fortnight|eighteen months|a whole summer|ten days"),
    "time_ago": _p("last spring|a few months ago|two summers ago|back in the autumn|earlier this year|"
                   "just before the holidays|at the start of the year|a couple of weeks ago|last winter|years ago"),
    "feeling": _p("relieved|surprised|quietly proud|a bit embarrassed|delighted|frustrated|reassured|tired but happy|"
                  "more confident|genuinely impressed|slightly annoyed|calm"),
    "brand": _p("Norvik|Altena|Brightwell|Corvana|Dunmore|Elstar|Fenwick|Glenholm|Harlow|Ivara|Jorvik|Kallisto|"
                "Lumora|Mereval|Northgate|Oakhurst|Pellam|Quillon|Redfern|Sundial"),
    "role": _p("a retired teacher|a local councillor|a mechanic with thirty years of experience|a nurse who commutes daily|"
               "the owner of a small shop|a student at the university|a father of three|a volunteer at the community centre|"
               "an engineer at a local firm|a member of the residents' association|a bus driver|a market trader"),
    "org": _p("the regional transport office|a national consumer group|the local chamber of commerce|"
              "a university research team|the town council|an independent think tank|the national statistics office|"
              "a trade association|a local charity|the regional tourism board"),
}

BLOG_TITLES = _p("{Subject}: what {duration} taught me|Notes on {activity}|Why I changed my mind about {subject}|"
                 "{Small} things I wish I knew about {subject}|A {adj} month of {activity}|"
                 "What nobody tells you about {subject}|{Activity}, one year on|Our {adj} experiment with {subject}|"
                 "Lessons from {activity}|The honest truth about {subject}")
FORUM_TITLES = _p("Help: {problem}|Question about {thing}|Is a {product} worth it?|{Subject} - advice needed|"
                  "Anyone else finding that {problem}?|Beginner question on {subject}|Tips for {activity}?")
NEWS_TITLES = _p("{City} sees rise in {subject}|New figures on {subject} astonish experts|"
                 "Residents divided over {subject}|Survey: {subject} matters more than ever|"
                 "{City} council backs plan for {subject}|Demand for {product} grows across the region")
REVIEW_TITLES = _p("{Brand} {product} review: {adj} and mostly worth it|Long term review of the {brand} {product}|"
                   "Tested: the {brand} {product} after {duration}|{Brand} {product}: a {adj} choice?")
HOWTO_TITLES = _p("How to {tip}|A beginner's guide to {subject}|Step by step: {activity}|{Subject} made simple")

BLOG_OPENERS = _p("""
I have been {activity} for {duration} now, and a few readers asked me to write about it.|
This post started as a quick note to myself about {subject}, but it grew a bit.|
A while ago {relative} asked me what I actually think about {subject}, so here is the long answer.|
If you had told me {time_ago} that I would be {activity}, I would have laughed.|
Every {month} I promise myself I will sort out {thing}, and this year I finally did.|
Last {weekday} I spent the whole afternoon {activity}, and I learned more than I expected.|
There is a lot of noise online about {subject}, so I want to share what happened to us.|
{Name} from {city} sent me a long message about {subject}, and it made me rethink a few things.|
We moved to {city} {time_ago}, and {activity} has been part of the adventure ever since.|
Some of you know I am not a natural at this, so take my notes on {subject} with a pinch of salt.|
It took me {duration} of trial and error to feel confident about {subject}.|
When people hear that I enjoy {activity}, the first question is always about {thing}.""")

BODY = _p("""
The first surprise was {thing}, which turned out to be far more {adj} than I had assumed.|
On paper {thing} looked perfect, but in practice {problem}.|
{Relative} swears by {thing}, although I am still not fully convinced.|
We tried {activity} {place}, and honestly it was {adj} from start to finish.|
What nobody mentioned is that {problem}.|
After {duration} I noticed that {problem}, so I changed my routine.|
It helps to remember that {thing} is only as good as the habits around it.|
For a while I blamed {thing}, until {name} pointed out that {problem}.|
The {adj} part was not {thing} at all but the time it took to get started.|
I kept a small notebook, and by week {small} the pattern was obvious.|
Around {small} times out of ten it worked without any fuss.|
{Name} tried the same thing in {city} and had almost the opposite experience.|
The cheapest fix was also the simplest one: {tip}.|
Looking back, I should have started with {thing} instead of {thing}.|
There were days when {problem}, and I nearly gave up.|
It is not glamorous, but {activity} has quietly become one of my favourite routines.|
I asked around {place}, and most people said the same thing: {tip}.|
The difference between a good week and a bad one usually came down to {thing}.|
By the end of {month} I felt {feeling}, which was a nice change.|
A neighbour who has been {activity} for years gave me one piece of advice: {tip}.|
Money was tight, so I spent {price} and made the rest work.|
I was {feeling} to discover that {thing} made such a difference.|
If I am honest, the fact that {problem} still bothers me a little.|
The kids thought {activity} was boring at first, but they came round quickly.|
That weekend {place} changed my mind about {subject}.|
Next time I would spend less time worrying and more time {activity}.|
I read three books about {subject} and still learned most from simply trying.|
Our old approach to {subject} was mostly guesswork, and {thing} proved it.|
Compared with {time_ago}, everything about {subject} feels more {adj} now.|
{Name} laughed when I admitted how long I had spent on {thing}.|
We argued for a week about {thing} before agreeing to try {activity} instead.|
In {month} the weather made everything harder, especially {activity}.|
A {adj} {product} from {brand} helped more than I would like to admit.|
I still remember standing {place} and realising that {problem}.|
There is no single right answer here, only what suits your week and your budget.|
The second attempt went better, mostly because I stopped rushing {activity}.|
Friends in {city} do it differently, and their results are just as {adj}.|
It was {adj}, a bit {adj}, and more fun than I expected.""")

ADVICE = _p("""
My advice is simple: {tip}.|If you only remember one thing from this post, {tip}.|Whatever you decide, {tip}.|
It sounds obvious, but {tip}.|Before you spend any money, {tip}.|
A friend who works {place} told me to {tip}, and she was right.|Also, {tip}; it saves trouble later.|
Finally, {tip} and do not worry too much about the rest.|For beginners the best thing is to {tip}.|
On busy weeks I at least try to {tip}.|If you notice that {problem}, {tip}.|
{Name}'s rule of thumb is to {tip}, and I have adopted it too.""")

CLOSERS = _p("""
That is all for now, and I will post an update in {month}.|
Let me know how {subject} works for you, because I am still learning.|
Thanks for reading, and good luck with {activity}.|Next time I want to write about {subject}, so stay tuned.|
If you have a better way of dealing with the fact that {problem}, I would love to hear it.|
I will report back in {month} after a few more weeks of {activity}.|
Until next time, enjoy {activity} and tell me how it goes.|
Comments are open, so argue with me about {thing} below.|
Next {month} I will revisit this with fresh numbers.|
If this helped, pass it on to someone who is {activity}.|
Questions are welcome in the comments, especially from anyone near {city}.""")

FORUM_ASK = _p("""
Has anyone else noticed that {problem}?|I have been {activity} for about {duration} and I am stuck.|
Is it normal that {problem}, or should I be worried?|I already tried to {tip}, but nothing changed.|
{Relative} says I should just replace {thing}, but that seems a bit drastic.|
Any tips from people who live near {city} would be welcome.|
Sorry if this has been asked before, I could not find a clear answer about {subject}.|
Background: we mostly use it {place}, a few times a week.|
Would a {product} from {brand} be worth the money, or is there something better?|
Thanks in advance for any advice, it is driving me up the wall.|
It started {time_ago}, right after we began {activity}.|
For context, I live near {city} and we are mostly {activity}.|
I am {feeling} about it, to be honest, because {thing} was not cheap.|
Budget is {price}, so nothing fancy.|
What would you do in my place?|
Edit: forgot to say that {problem} as well.""")

FORUM_REPLY = _p("""
Same here, {problem} and it drove me mad for weeks.|Honestly, I would {tip} before doing anything else.|
We had exactly this {time_ago}; in the end it was {thing}.|Not an expert, but {thing} is usually the first thing to check.|
I disagree a little with the post above, because the fact that {problem} is often a separate issue.|
Have you tried {activity}? It helped us a lot.|{Name} is right, and I would add one thing: {tip}.|
It took me {duration} to sort it out, so do not lose hope.|Quick update from me: it has been {adj} ever since.|
If all else fails, ask someone {place}; they usually know.|Good luck, and please tell us what you find out.|
We bought a {product} from {brand} {time_ago} and it has been {adj} so far.|
Where I live near {city}, most people simply {tip}.|Glad it is not just me, {name}.|
A friend I met {place} sorted ours in {small} minutes, which was a relief.|
Funny, {relative} asked me the same question last {weekday}.|
Mine is {duration} old and I have never seen that, so maybe yours is unlucky.|
I would not bother with a {product}; {tip} and see if it changes.|
Check whether {problem}, because that usually points to {thing}.|
We stopped {activity} for a while and the problem went away, for what it is worth.|
Sounds {adj} to me, but I am no mechanic, gardener or cook.|
Try asking on the {city} group, they had a long thread about {subject}.|
Honestly the cheapest option is to {tip} and wait a week.|
Our {thing} did the same until {name} showed us the trick.|
Two words: {thing}. That was it for us.|
I used to think the same until I started {activity}.|
Bookmarking this, we are about to start {activity} ourselves.""")

NEWS = _p("""
{Org} said on {weekday} that interest in {subject} has grown by {num} percent in a year.|
According to a survey of {num} households, people care about {subject} more than about price.|
Residents in {city} say that {problem}.|The council plans to spend {big_amount} on improvements {place} next year.|
Campaigners have warned that {problem}, particularly in rural areas.|
Figures published in {month} show a steady rise in {activity}.|Experts advise readers to {tip}.|
Several shops {place} report that sales of the {product} have doubled.|
The trend started in {city} and has spread to nearby towns.|
Critics argue that {thing} is still too expensive for many families.|
A spokesperson for {org} declined to comment on the details.|The scheme will be reviewed in {month} {year}.|
Officials in {city} expect the numbers to keep rising until at least {year}.""")

QUOTES = _p("""
"We keep hearing that {problem}," said {name} {surname}, {role}.|
"People should {tip}," said {name} {surname}, {role}.|
"Honestly, {activity} has changed how we live," said {name} {surname}, {role}.|
"It was {adj}, but we would do it again," said {name} {surname}, {role}.|
"Nobody expected {subject} to matter this much," said {name} {surname}, {role}.|
{Name} {surname}, {role}, put it simply: "We just want {thing} to work."|
"If you ask me, {tip}," said {role} called {name} {surname}.|
"Back in {past_year} nobody here was {activity}," said {name} {surname}.""")

REVIEW_INTRO = _p("""
I bought the {brand} {product} {time_ago} and have used it almost every week since.|
At {price}, the {brand} {product} sits somewhere in the middle of the market.|
{Relative} recommended the {brand} {product} after using one {place}.|
I compared it with the {rival} model for {duration} before deciding.|
The box contains the {product}, a short manual and not much else.|
I was mostly {activity} when I tested it, so keep that in mind.|
My old {product} from {brand} finally gave up in {month}, so I needed a replacement.""")
REVIEW_PROS = _p("Feels {adj} and well made|Setup took less than {num} minutes|Works well {place}|"
                 "Good value compared with the {rival} version|Keeps going for {duration} with light use|"
                 "Quiet in everyday use|Easy to clean|Small enough to keep {place}")
REVIEW_CONS = _p("A little {adj} for my taste|The manual is vague about {subject}|Pricier than the {rival} alternative|"
                 "The app needs yet another account|Gets {adj} after long sessions|Only one colour on offer")
VERDICTS = _p("""
Verdict: if you enjoy {activity}, the {product} is a {adj} choice.|
Overall it is {adj}, and I would buy it again at {price}.|
Would I recommend it? Yes, with the small caveats above about {subject}.|
For anyone {activity}, it earns its place {place}.|
It is not perfect, but after {duration} I still reach for it first.|
If {problem}, look elsewhere; otherwise it is easy to like.""")

HOWTO_INTRO = _p("""
This guide covers {subject} for complete beginners.|It took me {duration} to work this out, so here is the short version.|
Most of the problems I see come down to one thing: {problem}.|You do not need special skills, just a free {weekday} afternoon.|
{Name} asked me to write this down after we spent a day {activity} together.|
Nothing here is new, but having it in one place helps, especially if {problem}.|
I have made every mistake on this list, most of them {place}.|
The steps below work for {thing} too, with small changes.""")
STEPS = _p("{Tip}.|{Tip}, which takes about {num} minutes.|Next, {tip}.|{Tip}, then check again after a day.|"
           "{Tip}; otherwise {problem}.|Take a moment to {tip}.|Once that is done, {tip}.|"
           "If you are {activity}, {tip} as well.|{Tip} - {name} taught me this one.|"
           "Now {tip}, even if it feels fussy.|{Tip} and write down what you did.|"
           "Before moving on, {tip}.|{Tip}; it matters more {place} than anywhere else.")
FOREIGN_WORDS = _p("""
As {relative} likes to say, it is all about Gemütlichkeit.|
The locals call that feeling joie de vivre, and I finally understood why.|
We spent the afternoon in true dolce far niente style.|
Our Swedish friends insisted on a proper fika halfway through.|
There is a Dutch word for the evening, gezellig, and it fits perfectly.|
It was a real déjà vu moment for the whole family.|
Someone at the next table said bon appétit, and we all smiled.|
My Spanish colleague would simply shrug and say mañana.|
I had a serious case of Wanderlust by the end of {month}.|
The pasta came out al dente for once, which felt like a small victory.|
That is the Danish idea of hygge, more or less, with {thing} added.|
After a long day my German neighbour calls it Feierabend and puts the kettle on.""")

HEADERS: dict[str, tuple[str, ...]] = {
    "pros": ("What I liked:", "The good:", "Highlights:", "Pros:", "Things I liked:", "What works:"),
    "cons": ("What could be better:", "The bad:", "Downsides:", "Cons:", "Not so great:", "Room for improvement:"),
    "need": ("You will need:", "What you need:", "Have these ready:", "Before you start, get:", "Equipment:"),
    "posted": ("Posted by", "Started by", "Question from", "New thread by", "Asked by"),
    "reply": ("Reply from", "Answer from", "Comment by", "Response from", "Posted by"),
}

# Interchangeable words and phrases. A page picks a member at random for
# every occurrence (in templates and lexicon phrases alike), which breaks up
# the fixed word runs that two pages from the same templates would share.
# Every member must fit every context in which any member of its group occurs.
SYNONYMS: tuple[tuple[str, ...], ...] = tuple(_p(g) for g in """
honestly|frankly|to be honest
surprise|revelation|shock
noticed|realised|spotted
perfect|ideal|flawless
worried|concerned
simple|easy|straightforward
helped us a lot|made a big difference for us|worked wonders for us
a lot|a great deal|loads
quickly|fast|rapidly
expected|anticipated|imagined
assumed|thought|believed
obvious|clear
nearly gave up|almost quit|came close to quitting
nearly|almost
usually|normally|generally|typically
mostly|largely|mainly
really|truly|genuinely
grew a bit|got a little longer|grew somewhat
a bit|a little|slightly
people|folks
kids|children
money|cash
expensive|pricey|costly
problems|issues
problem|issue
bought|purchased|picked up
enjoy|love
tried|attempted
rethink|reconsider
long answer|full answer|longer answer
laughed|chuckled|smiled
bothers|annoys|irritates
guesswork|trial and error
Nothing here is new|None of this is groundbreaking|There are no secrets here
having it in one place helps|a single checklist is handy|it is useful to see it together
I have made every mistake on this list|I have got every one of these wrong|Every item here is a lesson I learned
most of them|nearly all of them|the worst of them
It took me|I needed|It cost me
to work this out|to figure this out|to get the hang of this
You do not need|Nobody needs|You will not need
just a free|only a spare|simply an empty
If you have a better way of dealing with the fact that|Should you know a smarter answer to the fact that|If you can beat my approach to the fact that
write down what you did|keep notes as you go|record what you changed
even if it feels fussy|even if it seems excessive|though it feels like overkill
I at least try to|I still make sure to|my minimum is to
Whatever you decide|Whichever way you go|Either way
nice change|welcome change|pleasant change
fully|completely|entirely
convinced|persuaded
drove me mad|drove me crazy|drove me up the wall
driving me up the wall|driving me mad|driving me crazy
do not lose hope|do not give up|keep at it
relief|weight off my mind
experts|specialists|analysts
residents|locals
particularly|especially
plans to|intends to|wants to
declined to comment|refused to comment|would not comment
several|a number of|various
grown|risen|increased
survey|poll|study
figures|numbers|statistics
critics|opponents|sceptics
almost every week|most weeks|nearly every week
takes about|needs roughly|takes around
check again|look again|test it again
once that is done|when that is finished|after that
Next,|Then,|After that,
Take a moment to|Make sure you|Remember to
complete beginners|total beginners|absolute beginners
special skills|any special talent|expert skills
the short version|the quick version|the condensed version
Thanks for reading|Thank you for reading|Thanks for sticking with me
stay tuned|watch this space|keep an eye out
I would love to hear it|please tell me|do share it
report back|write an update|post again
post an update|write again|check in again
That is all for now|That is it for today|That is everything for now
still learning|still figuring it out|far from an expert
good luck|best of luck|all the best
in the end|eventually|ultimately
exactly|precisely
Not an expert|I am no expert|Not a pro
the first thing to check|the first suspect|where I would start
harder|more difficult|trickier
surprisingly|unexpectedly
gradually|slowly
realising|understanding|discovering
discover|find out
admit|confess
the whole afternoon|the entire afternoon|most of the afternoon
told me to|advised me to|urged me to
saves trouble later|saves a lot of hassle|pays off later
do not worry too much about|relax about|stop fretting about
the best thing is to|the smartest move is to|it pays to
On busy weeks|When life gets busy|On hectic weeks
rule of thumb|golden rule|simple rule
in practice|in real life|in reality
swears by|raves about|loves
from start to finish|the whole way through|from beginning to end
nobody mentioned|no one told me|nobody said
came round quickly|soon changed their minds|warmed to it quickly
changed my mind about|changed my view of|came round on
a short manual|a thin manual|a quick start guide
not much else|little else|nothing more
the middle of the market|the middle of the range|the mid range
well made|solidly built|nicely finished
everyday use|daily use|normal use
for my taste|for my liking|in my view
would buy it again|would happily buy it again|would buy another
""".strip().splitlines())
