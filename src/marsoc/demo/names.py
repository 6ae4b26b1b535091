"""Name parts for synthetic people. Combined at random, they describe nobody real."""

GIVEN_MALE = (
    "James Oliver Jack Harry George Noah Charlie Jacob Alfie Freddie Oscar Leo Logan Archie Theo Thomas "
    "Joshua William Henry Max Lucas Ethan Isaac Mason Dylan Ryan Kai Jayden Reece Callum Connor Liam Tyler "
    "Adam Mohammed Ali Omar Yusuf Ibrahim Hamza Bilal Kwame Kofi Tunde Emeka Marcus Andre Dwayne Jerome "
    "Darius Tomasz Piotr Marek Andrei Mihai Luca Marco Darren Craig Lee Wayne Dean Shane Kieran Aaron"
).split()
GIVEN_FEMALE = (
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Chloe Emily Ella Poppy Jessica "
    "Leah Holly Megan Aisha Fatima Maryam Zara Amara Chiamaka Shanice Tanisha Kelly Stacey Gemma Natalie "
    "Agnieszka Katarzyna Elena Ioana Giulia Maria Sarah Rachel Laura Donna"
).split()
FAMILY = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White "
    "Roberts Green Hall Wood Jackson Clarke Patel Khan Hussain Ahmed Ali Begum Shah Rahman Okafor Mensah "
    "Adeyemi Campbell Stewart Murray Reid Kelly Murphy Byrne Doyle Walsh Kowalski Nowak Popescu Rossi "
    "Hughes Edwards Harris Lewis Martin Cooper King Baker Turner Hill Moore Clark Ward Morris Bennett "
    "Gray Cole Marsh Holt Booth Fletcher Barker Pearce Grant Francis Lloyd Palmer Mills Rees Hart Knight"
).split()
NICKNAMES = (
    "Tank Ghost Skinny Dosh Razor Chopper Smudge Banger Biscuit Taz Deano Ziggy Flash Moose Shadow Bear "
    "Sparky Chalky Nitro Blade Scouse Brummie Gizmo Lefty"
).split()
