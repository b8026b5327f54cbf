"""Topic vocabulary for the filler grammar (data only).

Each topic is a set of '|'-separated phrase pools that slot into the sentence
templates in filler_templates.py. Grammar contract per pool:
  things     noun phrase with article      "the heat pump"
  activities gerund phrase                 "charging at the supermarket"
  problems   full clause, present tense    "the range drops on frosty mornings"
  tips       imperative, lower case        "check the tyre pressures monthly"
  places     prepositional phrase          "on the ring road"
  adjs       adjective                     "reliable"
  subjects   topic noun phrase (titles)    "home charging"
  products   bare product noun             "wall box"
No Kestrel content here on purpose: filler must never contradict the manual.
Words like cookie, javascript, lorem, privacy policy are avoided because
common quality filters treat lines containing them as boilerplate.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str
    things: tuple[str, ...]
    activities: tuple[str, ...]
    problems: tuple[str, ...]
    tips: tuple[str, ...]
    places: tuple[str, ...]
    adjs: tuple[str, ...]
    subjects: tuple[str, ...]
    products: tuple[str, ...]


def _t(name: str, **pools: str) -> Topic:
    return Topic(name=name, **{k: tuple(p.strip() for p in v.split("|") if p.strip()) for k, v in pools.items()})


TOPICS: tuple[Topic, ...] = (
    _t("electric cars",
       things="the heat pump|a wall box in the garage|the charging cable|the regen paddles|the battery pack|the trip computer|"
              "the route planner|a rapid charger|the granny cable|the charge flap|the energy graph|the tariff app|"
              "the onboard charger|the eco mode",
       activities="charging at the supermarket|planning a long trip around rapid chargers|driving in one pedal mode|"
                  "warming the cabin from my phone|comparing home energy tariffs|towing a small caravan with an electric car|"
                  "charging at work|living with a public charger down the road|reading the charging curve|"
                  "driving over the mountains on a single charge|topping up at hotels|switching from diesel to electric",
       problems="the range drops by a third on frosty mornings|half the rapid chargers on the route are broken|"
                "the charging app wants yet another account|the car charges slowly when the battery is cold|"
                "the estimated range jumps around on hilly roads|the public charger refuses contactless payment|"
                "the cable is too short for the bay|the price per kilowatt hour keeps changing|"
                "the charger stops at random after ten minutes|the motorway range is far below the brochure figure|"
                "the queue at the charging hub is longer than expected|the home tariff only works with a smart meter",
       tips="set a sensible charge limit for daily driving|warm the battery before a rapid charge|"
            "keep a spare charging card in the glovebox|check the charger status before you leave|"
            "use the cheap overnight tariff|plan a stop every couple of hours anyway|"
            "slow down a little on the motorway to save energy|precondition the cabin while still plugged in|"
            "install the wall box close to where you park|learn how regenerative braking feels in the wet|"
            "keep the tyres at the right pressure for better range|ask your electrician about load balancing",
       places="at the motorway services|in the supermarket car park|on the ring road|at the hotel charger|"
              "in the multi storey car park|on the coast road|at the charging hub by the airport|outside the office|"
              "on a cold mountain pass|in the village square",
       adjs="quiet|smooth|efficient|frustrating|surprisingly practical|cheap to run|reliable|confusing|relaxing|quick",
       subjects="home charging|winter range|public charging|regenerative braking|electric road trips|battery health|"
                "charging etiquette|running costs",
       products="wall box|portable charger|charging cable|tyre inflator|dash cam|floor mat set"),
    _t("motoring",
       things="the old estate car|the timing belt|a set of winter tyres|the clutch|the spare wheel|the roof box|"
              "the service book|the windscreen|the exhaust|a second hand hatchback|the brake pads|the air filter|"
              "the car wash down the road|a dash mounted phone holder",
       activities="buying a used car from a private seller|changing the oil myself|driving through the Alps|"
                  "learning to drive with my dad|restoring an old roadster|taking the car through its annual test|"
                  "haggling with a dealer|washing the car by hand on Sundays|commuting on country lanes|"
                  "teaching my daughter to park|selling my first car|driving on the left for the first time",
       problems="the check engine light comes on every winter|the brakes squeal when the discs are wet|"
                "the air conditioning smells musty|the windscreen wipers leave streaks|the clutch pedal feels heavy|"
                "the insurance quote doubled this year|the car pulls to the left on the motorway|"
                "the parking sensors beep at nothing|the rear door rattles over speed bumps|the fuel economy has dropped|"
                "the garage cannot find the fault|the steering wheel vibrates at higher speeds",
       tips="check the oil level before a long trip|rotate the tyres every spring|keep a blanket and a torch in the boot|"
            "ask for the full service history|test drive the car on a motorway|clean the headlights regularly|"
            "replace the wiper blades once a year|never ignore a new noise from the brakes|compare insurance quotes every year|"
            "keep an eye on the tyre tread depth|read the owner's handbook at least once|take photos of any damage straight away",
       places="on the motorway|in the dealer's yard|at the local garage|on a narrow mountain road|in the school car park|"
              "at the test centre|on the way to the coast|in heavy traffic|on a gravel track|at the petrol station",
       adjs="comfortable|noisy|thirsty|dependable|nimble|overpriced|roomy|dated|solid|fun",
       subjects="buying a used car|car maintenance|winter driving|learner drivers|road trips|car insurance|"
                "classic cars|motorway driving",
       products="jump starter|car vacuum|seat cover|roof rack|tyre pressure gauge|steering wheel lock"),
    _t("travel",
       things="the night train|a cheap hostel near the station|the ferry timetable|a rail pass|the old town|"
              "the local market|a rented apartment|the hiking trail|the airport shuttle|a paper map|"
              "the museum pass|the coastal path|a window seat|the last bus of the day",
       activities="travelling with only a backpack|crossing the border by train|hiking between mountain huts|"
                  "eating at tiny family restaurants|island hopping in late autumn|visiting cities out of season|"
                  "learning a few phrases of the local language|camping by the lake|cycling along the river|"
                  "taking the slow road instead of the motorway|travelling with two small children|booking trips at the last minute",
       problems="the trains are always delayed on Sundays|the hotel photos look nothing like the room|"
                "the popular viewpoints are packed by nine in the morning|prices in the old town are double|"
                "the luggage allowance keeps shrinking|the ferry was cancelled because of the wind|"
                "the tourist office closes at lunchtime|the rental car had a scratch we did not cause|"
                "the mountain weather changes without warning|the taxi drivers refuse to use the meter|"
                "the museum is closed on Mondays|the phone signal disappears in the valley",
       tips="pack half the clothes you think you need|book the first train of the morning|carry some cash for small villages|"
            "download the maps before you go|walk one street away from the main square|eat where the locals queue|"
            "check the opening days of every museum|take photos of your rental car before driving off|"
            "learn how to say thank you in the local language|leave a free day in every itinerary|"
            "buy travel insurance as soon as you book|keep a copy of your passport in your email",
       places="in the old harbour|at the mountain hut|on the night train|in a small fishing village|at the border crossing|"
              "by the cathedral|on the ferry deck|in the hills above the town|at the hostel kitchen|on the coastal path",
       adjs="charming|crowded|peaceful|exhausting|unforgettable|overrated|affordable|breathtaking|chaotic|friendly",
       subjects="slow travel|budget travel|family holidays|train travel|solo trips|hiking holidays|city breaks|island life",
       products="travel backpack|packing cube set|rail pass|power adapter|water filter bottle|travel pillow"),
    _t("home and DIY",
       things="the bathroom tiles|a cordless drill|the loft insulation|the garden shed|the kitchen worktop|"
              "the radiator valves|a tin of primer|the leaking tap|the hallway floor|the smoke alarm|"
              "the spare bedroom|the boiler|a wobbly shelf|the window seals",
       activities="painting the hallway|putting up shelves in the study|bleeding the radiators|laying a laminate floor|"
                  "fixing a dripping tap|insulating the loft|building a raised bed from old pallets|regrouting the shower|"
                  "clearing out the garage|hanging wallpaper for the first time|replacing a door handle|sanding the old floorboards",
       problems="the paint peels off near the window|the boiler pressure drops every few days|the door sticks in wet weather|"
                "the shower grout turns black within months|the drill slips on the tiles|the wall is hollow behind the plaster|"
                "the heating bills keep going up|the floor creaks in the same spot|the window steams up every morning|"
                "the shelf brackets pull out of the wall|the extractor fan is louder than the radio|the hot water runs out too quickly",
       tips="measure twice and cut once|use the right wall plugs for plasterboard|turn off the water before touching a pipe|"
            "open a window while the paint dries|buy a little more material than you need|keep every receipt in one folder|"
            "test the smoke alarms once a month|sand between coats for a smooth finish|ask a neighbour to help with heavy panels|"
            "label the fuses while you remember|clean the brushes straight after painting|check for cables before drilling",
       places="in the spare room|under the stairs|in the back garden|on the landing|in the loft|at the hardware shop|"
              "in the utility room|on the balcony|in the cellar|along the garden fence",
       adjs="sturdy|fiddly|satisfying|messy|straightforward|pricey|tidy|durable|awkward|cosy",
       subjects="weekend DIY|home insulation|bathroom renovation|painting tips|small repairs|energy saving at home|"
                "garden projects|decluttering",
       products="cordless drill|laser level|stud finder|paint sprayer|tool box|mitre saw"),
    _t("cooking",
       things="the cast iron pan|a jar of homemade stock|the sourdough starter|the spice drawer|a bag of lentils|"
              "the slow cooker|the bread tin|a bunch of fresh basil|the oven thermometer|the chopping board|"
              "a batch of tomato sauce|the freezer|the rice cooker|a block of parmesan",
       activities="baking bread every weekend|cooking for a family of five on a budget|making pasta from scratch|"
                  "batch cooking on Sunday evenings|growing herbs on the windowsill|learning to cook curries|"
                  "roasting vegetables with whatever is left in the fridge|making jam from the plum tree|"
                  "fermenting cabbage in big jars|cooking without a microwave|hosting dinner for ten people|"
                  "turning leftovers into soup",
       problems="the bread comes out dense in the middle|the sauce splits when it gets too hot|"
                "the oven runs hotter than the dial says|the rice sticks to the bottom of the pan|"
                "the cake sinks as soon as it leaves the oven|the onions burn before they soften|"
                "the pastry shrinks in the tin|the soup tastes flat no matter what I add|the meat turns out dry|"
                "the dough refuses to rise in a cold kitchen|the pan smokes at medium heat|the herbs wilt within a day",
       tips="salt the pasta water properly|let the meat rest before slicing|taste as you go|read the whole recipe first|"
            "toast the spices in a dry pan|keep a jar of stock in the freezer|weigh the flour instead of using cups|"
            "sharpen your knives every few weeks|add a splash of vinegar at the end|cook the onions slowly|"
            "preheat the oven properly|write down what worked",
       places="in a tiny flat kitchen|at my grandmother's table|on the barbecue|at the farmers market|in the allotment|"
              "on a camping stove|at the Sunday market|in the school canteen|at a friend's birthday|in the back of a food truck",
       adjs="hearty|crispy|tender|bland|fragrant|comforting|rich|zesty|rustic|simple",
       subjects="weeknight dinners|home baking|budget cooking|seasonal vegetables|bread making|family meals|"
                "meal planning|cooking with leftovers",
       products="stand mixer|chef's knife|dutch oven|food processor|kitchen scale|pasta machine"),
    _t("technology",
       things="the old laptop|a mesh router|the backup drive|the password manager|the smart speaker|the phone battery|"
              "a refurbished tablet|the home server|the printer driver|the spare monitor|a mechanical keyboard|"
              "the update schedule|the family calendar|a noise cancelling headset",
       activities="setting up a home network|moving all my photos to a new drive|repairing a cracked phone screen|"
                  "switching to a password manager|building a small home server|teaching my parents video calls|"
                  "reducing my screen time|replacing the laptop battery|tidying up twenty years of files|"
                  "testing cheap wireless earbuds|learning to code in the evenings|running everything from an old desktop",
       problems="the wireless signal dies in the back bedroom|the laptop fan spins up for no reason|"
                "the phone battery drains overnight|the printer forgets the network every week|"
                "the backup has not run for months|the update broke the sound driver|the video calls freeze at the worst moment|"
                "the storage is full again|the smart speaker misunderstands simple requests|the charger gets hot|"
                "the old software will not install|the screen flickers when the brightness is low",
       tips="keep two backups in different places|turn on automatic updates|restart the router before calling support|"
            "write the recovery codes on paper|buy a decent charger|label every cable in the drawer|"
            "check the warranty before opening anything|keep the operating system lean|use a different password everywhere|"
            "test the restore, not only the backup|read the reviews from a year later|clean the fans with a soft brush",
       places="in the home office|at the repair cafe|on the train to work|in my parents' living room|at the electronics shop|"
              "in the spare bedroom|at a community workshop|on a long flight|at the library|in the garden office",
       adjs="snappy|clunky|reliable|sleek|bloated|affordable|fragile|handy|sluggish|clever",
       subjects="home networks|backups|repairing gadgets|password security|old laptops|smart homes|screen time|"
                "budget tech",
       products="mesh router|external drive|noise cancelling headset|webcam|mechanical keyboard|smart plug"),
    _t("gardening",
       things="the tomato plants|a compost bin|the vegetable patch|the old apple tree|a water butt|the greenhouse|"
              "the lawn|a packet of runner bean seeds|the raised beds|the rose bushes|the potting shed|"
              "the wildflower strip|the herb spiral|a wheelbarrow",
       activities="growing potatoes in sacks|starting seeds on the windowsill|building a pond for frogs|"
                  "pruning fruit trees in winter|making compost from kitchen scraps|gardening on a north facing balcony|"
                  "saving seeds from this year's crop|digging a new border|planting bulbs for spring|"
                  "keeping chickens in the back garden|watering with collected rain|mowing less for the bees",
       problems="the slugs eat every lettuce overnight|the soil turns to clay after rain|the tomatoes split before they ripen|"
                "the lawn goes brown every August|the seedlings grow tall and floppy|the apple tree has scab again|"
                "the pigeons strip the cabbages|the water butt runs dry in June|the roses get black spot|"
                "the courgettes rot at the tip|the weeds come back faster than I can pull them|the frost kills the early beans",
       tips="water in the evening|mulch the beds in autumn|rotate crops every year|sow a little every fortnight|"
            "leave a wild corner for insects|feed the tomatoes once the first flowers appear|harden off seedlings slowly|"
            "keep a notebook of what you planted where|collect rainwater wherever you can|prune on a dry day|"
            "grow what you actually like to eat|check the plants for pests every morning",
       places="in the allotment|on the balcony|by the back fence|in the greenhouse|under the apple tree|"
              "along the garden path|in the front garden|at the garden centre|on the windowsill|in the community garden",
       adjs="lush|hardy|thirsty|fragrant|tangled|productive|patchy|tidy|wild|sheltered",
       subjects="vegetable growing|composting|balcony gardens|fruit trees|wildlife gardening|lawn care|"
                "seed saving|allotment life",
       products="garden hose|pruning shears|compost bin|raised bed kit|seed tray set|rain gauge"),
    _t("cycling",
       things="the commuter bike|a new chain|the rear derailleur|the bike lights|the pannier rack|the cycle lane|"
              "a waterproof jacket|the puncture kit|the cargo bike|the saddle|the gravel route|"
              "the bike shed at work|the disc brakes|a folding bike",
       activities="cycling to work through the winter|riding a gravel route over the weekend|"
                  "doing the school run by cargo bike|touring along the river for a week|learning to fix punctures|"
                  "riding with a club for the first time|commuting on a folding bike and train|building a bike from spare parts|"
                  "climbing the big hill outside town|riding in the rain without complaining|cycling with kids in traffic|"
                  "swapping the car for a bike on short trips",
       problems="the chain slips under load|the brakes squeal in the rain|the cycle lane ends without warning|"
                "the back tyre keeps losing air|the gears skip on the steep climb|the saddle hurts after an hour|"
                "the lights die halfway home|the drivers pass far too close|the bike racks at the station are full|"
                "the headwind doubles the commute time|the mudguards rub on the tyre|the lock is too heavy to carry",
       tips="check the tyre pressure every week|carry a spare inner tube|clean and oil the chain after wet rides|"
            "wear something bright in the dark|take the lane when it is not safe to be passed|"
            "start with short rides and build up|keep a small tool kit under the saddle|lock the frame, not just the wheel|"
            "get the saddle height checked|plan a quiet route even if it is longer|pack a dry shirt for work|"
            "ride predictably and signal early",
       places="on the canal towpath|in the cycle lane|at the bike shop|on the river path|up the hill outside town|"
              "at the station bike park|on the forest trail|through the city centre|on the coast road|at the school gate",
       adjs="nippy|sturdy|heavy|comfortable|twitchy|practical|lightweight|rattly|fast|relaxed",
       subjects="bike commuting|cargo bikes|bike maintenance|cycle touring|winter cycling|gravel riding|"
                "cycling with children|road safety",
       products="bike lock|floor pump|rear light|pannier bag|cycling jacket|bike computer"),
    _t("photography",
       things="the old film camera|a fifty millimetre lens|the tripod|the memory card|the editing software|"
              "the camera strap|a polarising filter|the flash|the photo backup|the light meter|"
              "the early morning light|a second hand zoom lens|the camera bag|the printed photo album",
       activities="shooting street photos on my lunch break|learning manual exposure|photographing birds in the garden|"
                  "taking family portraits in natural light|developing film at home|shooting the night sky|"
                  "printing my favourite photos every month|walking the same route with a camera every day|"
                  "photographing weddings for friends|shooting only black and white for a month|"
                  "editing a whole year of holiday photos|carrying a small camera everywhere",
       problems="the photos come out blurry indoors|the memory card fills up halfway through the day|"
                "the sky is always blown out|the autofocus hunts in low light|the battery dies in the cold|"
                "the colours look different on every screen|the lens fogs up when I come inside|"
                "the editing takes longer than the shooting|the camera feels too heavy after an hour|"
                "the prints look darker than the screen|the horizon is never straight|the flash makes faces look flat",
       tips="shoot in the first hour of light|back up the photos the same evening|learn one setting at a time|"
            "move your feet instead of zooming|print the pictures you love|keep the horizon level|"
            "take a spare battery in winter|look at the edges of the frame|delete the weak shots ruthlessly|"
            "ask before photographing strangers up close|use a tripod at dusk|edit less than you think",
       places="in the old town at dawn|on the beach at sunset|at the local nature reserve|in the city park|"
              "at my cousin's wedding|on the harbour wall|in the studio at the community centre|along the railway line|"
              "at the winter market|in the forest after rain",
       adjs="sharp|grainy|moody|vivid|washed out|crisp|soft|dramatic|honest|warm",
       subjects="street photography|film cameras|landscape photography|photo editing|portraits|night photography|"
                "photo backups|beginner cameras",
       products="camera bag|travel tripod|prime lens|photo printer|memory card|lens cleaning kit"),
    _t("running and fitness",
       things="the running shoes|a training plan|the foam roller|the local park run|the heart rate monitor|"
              "the hill behind the house|a rest day|the gym membership|the stretching routine|the race number|"
              "the water bottle|the treadmill|the winter gloves|a kettlebell",
       activities="training for my first half marathon|running before work in the dark|coming back after an injury|"
                  "lifting weights twice a week|walking ten thousand steps a day|swimming at the outdoor pool|"
                  "running with a club on Tuesday nights|doing yoga in the living room|cycling to stay fit in winter|"
                  "joining a beginner running group|stretching every evening|hiking up the local hills",
       problems="the knees ache after long runs|the motivation disappears in January|the blisters come back every week|"
                "the pace stays the same no matter what I do|the gym is packed after work|the shins hurt on hard pavements|"
                "the training plan does not fit around work|the legs feel heavy for days after a race|"
                "the sleep gets worse when I train late|the stitch arrives at the same point every run|"
                "the weather ruins every plan|the old injury flares up on hills",
       tips="increase the distance slowly|sleep more than you think you need|run most miles at an easy pace|"
            "replace the shoes before they wear out|warm up for ten minutes|eat something small before a long run|"
            "take rest days seriously|find a friend to train with|write every session down|"
            "see a physio before a small pain becomes a big one|stretch after the run, not before|drink water through the day",
       places="in the local park|on the seafront|at the athletics track|on the forest trail|at the leisure centre|"
              "on the canal path|around the reservoir|at the outdoor pool|up the big hill|on the treadmill at the gym",
       adjs="steady|tough|rewarding|sore|energetic|gentle|brutal|manageable|sluggish|strong",
       subjects="beginner running|half marathon training|injury recovery|strength training|staying active|"
                "fitness motivation|recovery days|walking for health",
       products="pair of running shoes|sports watch|foam roller|yoga mat|resistance band set|running vest"),
    _t("pets",
       things="the new puppy|an old rescue cat|the dog lead|the scratching post|the vet bill|the pet insurance|"
              "the dog bed|the cat flap|the training treats|the fish tank|the rabbit hutch|"
              "the dog walker|the grooming brush|the travel crate",
       activities="training a rescue dog|introducing a kitten to an older cat|walking the dog before sunrise|"
                  "travelling with a nervous cat|looking after the neighbour's rabbits|teaching the puppy to stay|"
                  "adopting a retired greyhound|taking the dog on holiday|keeping an indoor cat busy|"
                  "brushing a long haired dog every day|visiting the vet for yearly checks|fostering kittens for a shelter",
       problems="the dog pulls on the lead|the cat scratches the sofa instead of the post|the puppy chews every shoe|"
                "the dog barks at the postman|the cat refuses the new food|the vet bills keep climbing|"
                "the dog gets carsick on long trips|the kitten wakes us up at four in the morning|"
                "the rabbits dig under the fence|the dog is scared of fireworks|the cat brings in mice|"
                "the fish tank turns green",
       tips="reward good behaviour straight away|keep training sessions short|walk the dog before a long drive|"
            "get pet insurance while the animal is young|introduce new food slowly|give the cat somewhere high to hide|"
            "microchip every pet|keep the vet's number on the fridge|brush the coat little and often|"
            "close the curtains on firework nights|never leave a dog in a warm car|ask the shelter about the animal's history",
       places="in the park at dawn|at the vet's surgery|on the beach out of season|in the back garden|at the dog training class|"
              "at the rescue centre|on the forest walk|in the kitchen at night|at the pet shop|on the sofa",
       adjs="playful|nervous|loyal|stubborn|cuddly|clever|lazy|curious|boisterous|gentle",
       subjects="dog training|rescue animals|cat behaviour|pet insurance|puppy care|travelling with pets|"
                "older pets|pet health",
       products="dog harness|cat tree|pet camera|automatic feeder|dog bed|grooming glove"),
    _t("money and household",
       things="the monthly budget|the energy bill|a savings jar|the shopping list|the spreadsheet|the emergency fund|"
              "the mortgage offer|the streaming subscriptions|the bank app|a second hand sofa|the weekly meal plan|"
              "the council tax bill|the pension statement|the gym contract",
       activities="tracking every purchase for a month|cutting the food bill in half|switching energy supplier|"
                  "saving for a house deposit|selling clutter online|cancelling unused subscriptions|"
                  "buying furniture second hand|paying off a credit card|planning a wedding on a budget|"
                  "teaching the kids about pocket money|living without a car for a year|setting up a family budget",
       problems="the energy bill doubled over the winter|the subscriptions add up without anyone noticing|"
                "the savings disappear every December|the supermarket prices creep up each month|"
                "the bank charges fees for everything|the budget falls apart after a week|"
                "the car repair wiped out the emergency fund|the rent takes half the salary|"
                "the kids want everything their friends have|the mortgage rate is about to change|"
                "the online shopping habit is out of control|the pension statement makes no sense",
       tips="write down every purchase for a month|pay yourself first on payday|compare prices per kilo|"
            "wait a day before any big purchase|review the subscriptions every quarter|keep three months of costs saved|"
            "plan the meals before shopping|buy quality for things you use every day|talk about money openly at home|"
            "read the small print on every contract|round up savings automatically|sell what you have not used in a year",
       places="at the supermarket|at the kitchen table|at the bank|at the car boot sale|on the high street|"
              "in the charity shop|at the weekly market|in the comparison app|at the estate agent|at the second hand shop",
       adjs="frugal|sensible|costly|painful|manageable|tight|generous|worthwhile|simple|stressful",
       subjects="family budgets|saving money|energy bills|second hand shopping|debt free living|meal planning|"
                "pocket money|big purchases",
       products="budget planner|coin counter|energy monitor|lunch box set|water filter jug|label maker"),
)

# More tips per topic: how-to pages use several tips each, and a larger pool
# keeps two same-topic how-tos from sharing most of their steps.
_EXTRA_TIPS = {
    "electric cars": "note the charger location before the battery runs low|keep the charging cable coiled and dry|"
                     "check whether your tariff has a cheap window at night|use the heated seats instead of heating the whole cabin|"
                     "photograph the charger screen if a session fails|join a local owners group for charger reports|"
                     "leave a buffer of range on winter trips|clean the charge port flap now and then",
    "motoring": "keep the fuel tank above a quarter in winter|check the coolant level once a month|"
                "carry a warning triangle and a high visibility vest|adjust the mirrors before every long drive|"
                "get a second quote for big repairs|clear snow off the roof, not just the windows|"
                "keep the service receipts in the glovebox|listen to the car after a cold start",
    "travel": "carry a small first aid kit|share your itinerary with someone at home|"
              "keep valuables in a zipped inner pocket|arrive at small stations a little early|"
              "ask the host for a local tip on the first day|pack a light rain jacket even in summer|"
              "check the return times of rural buses|save the address of your accommodation offline",
    "home and DIY": "wear safety glasses when drilling overhead|use painter's tape for straight edges|"
                    "keep spare screws in labelled jars|bleed the radiators before winter|"
                    "let fresh plaster dry fully before painting|store paint tins upside down|"
                    "photograph the wiring before disconnecting anything|work from the top of the room down",
    "cooking": "pat the meat dry before browning it|use the oven light instead of opening the door|"
               "keep a small notebook of family recipes|freeze bread in slices|season the salad just before serving|"
               "roast tomatoes when they are cheap and plentiful|clean as you cook|rest the dough in the fridge overnight",
    "technology": "unplug gadgets you do not use|keep the firmware of the router up to date|"
                  "write down which cable goes where before moving the desk|turn on two step login for email|"
                  "keep the laptop off soft surfaces|wipe old devices before selling them|"
                  "use a surge protector for the computer|check battery health once a year",
    "gardening": "plant marigolds near the tomatoes|sharpen the tools before spring|leave the seed heads for the birds|"
                 "check the soil before watering|stake tall plants early|empty the water butt filter each autumn|"
                 "plant trees in the dormant season|grow herbs in pots by the kitchen door",
    "cycling": "check the brake pads before winter|use a rear light even in daylight|"
               "carry the lock on the bike, not on your back|learn the main cycle routes in town|"
               "keep the chain away from trouser legs|pump the tyres before a long ride|"
               "register the frame number with the police|wash the salt off after winter rides",
    "photography": "clean the sensor only when you really need to|label your memory cards|"
                   "shoot a few frames before the moment you want|keep the lens cap in the same pocket|"
                   "calibrate the screen before printing|photograph the same place in every season|"
                   "carry a cloth for the lens|learn to read the histogram",
    "running and fitness": "run the first mile slower than feels natural|check the route for hills beforehand|"
                           "wear reflective kit on dark evenings|keep a spare pair of socks in the car|"
                           "walk the steepest hills on long runs|plan an easy week every month|"
                           "practise drinking while running|change into dry clothes straight after",
    "pets": "keep the lead short near roads|check the paws after winter walks|"
            "store the pet food in a sealed tin|teach a reliable recall before walks off the lead|"
            "book the kennel early for the holidays|keep the vaccination card with the passport|"
            "rotate the toys every week|weigh the pet once a month",
    "money and household": "check the bank statement every Sunday|set up alerts for large payments|"
                           "keep a list of every subscription|ask for a discount when renewing|"
                           "buy seasonal food at the market|fix small things before they break|"
                           "save windfalls instead of spending them|use cash for the weekly treats",
}
TOPICS = tuple(
    Topic(**{**t.__dict__, "tips": t.tips + tuple(_EXTRA_TIPS[t.name].split("|"))}) for t in TOPICS
)
