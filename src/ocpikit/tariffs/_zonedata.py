# ruff: noqa: E501
"""Country to IANA time zone table, generated from the tz database's ``zone.tab``.

One line per country: ISO 3166-1 alpha-3 code, then its zones. A country with several zones lists
each zone followed by the ISO 6709 coordinates (``+DDMM+DDDMM`` or ``+DDMMSS+DDDMMSS``) of its
principal city, in ``zone.tab`` order; ``MAIN_ZONE`` names the main zone of the large multi-zone
countries (otherwise the first zone listed is used). The tz database is in the public domain; alpha-2 to alpha-3 codes are
ISO 3166-1 (facts, taken from Debian's ``iso-codes``).
"""

__all__ = ["MAIN_ZONE", "ZONE_TABLE"]

MAIN_ZONE: dict[str, str] = {
    "ARG": "America/Argentina/Buenos_Aires",
    "AUS": "Australia/Sydney",
    "BRA": "America/Sao_Paulo",
    "CAN": "America/Toronto",
    "CHL": "America/Santiago",
    "CHN": "Asia/Shanghai",
    "COD": "Africa/Kinshasa",
    "DEU": "Europe/Berlin",
    "ECU": "America/Guayaquil",
    "ESP": "Europe/Madrid",
    "FSM": "Pacific/Pohnpei",
    "GRL": "America/Nuuk",
    "IDN": "Asia/Jakarta",
    "KAZ": "Asia/Almaty",
    "KIR": "Pacific/Tarawa",
    "MEX": "America/Mexico_City",
    "MNG": "Asia/Ulaanbaatar",
    "MYS": "Asia/Kuala_Lumpur",
    "NZL": "Pacific/Auckland",
    "PRT": "Europe/Lisbon",
    "PYF": "Pacific/Tahiti",
    "RUS": "Europe/Moscow",
    "UKR": "Europe/Kyiv",
    "UMI": "Pacific/Wake",
    "USA": "America/New_York",
    "UZB": "Asia/Tashkent",
}

ZONE_TABLE = """\
ABW America/Aruba
AFG Asia/Kabul
AGO Africa/Luanda
AIA America/Anguilla
ALA Europe/Mariehamn
ALB Europe/Tirane
AND Europe/Andorra
ARE Asia/Dubai
ARG America/Argentina/Buenos_Aires-3436-05827 America/Argentina/Cordoba-3124-06411 America/Argentina/Salta-2447-06525 America/Argentina/Jujuy-2411-06518 America/Argentina/Tucuman-2649-06513 America/Argentina/Catamarca-2828-06547 America/Argentina/La_Rioja-2926-06651 America/Argentina/San_Juan-3132-06831 America/Argentina/Mendoza-3253-06849 America/Argentina/San_Luis-3319-06621 America/Argentina/Rio_Gallegos-5138-06913 America/Argentina/Ushuaia-5448-06818
ARM Asia/Yerevan
ASM Pacific/Pago_Pago
ATA Antarctica/McMurdo-7750+16636 Antarctica/Casey-6617+11031 Antarctica/Davis-6835+07758 Antarctica/DumontDUrville-6640+14001 Antarctica/Mawson-6736+06253 Antarctica/Palmer-6448-06406 Antarctica/Rothera-6734-06808 Antarctica/Syowa-690022+0393524 Antarctica/Troll-720041+0023206 Antarctica/Vostok-7824+10654
ATF Indian/Kerguelen
ATG America/Antigua
AUS Australia/Lord_Howe-3133+15905 Antarctica/Macquarie-5430+15857 Australia/Hobart-4253+14719 Australia/Melbourne-3749+14458 Australia/Sydney-3352+15113 Australia/Broken_Hill-3157+14127 Australia/Brisbane-2728+15302 Australia/Lindeman-2016+14900 Australia/Adelaide-3455+13835 Australia/Darwin-1228+13050 Australia/Perth-3157+11551 Australia/Eucla-3143+12852
AUT Europe/Vienna
AZE Asia/Baku
BDI Africa/Bujumbura
BEL Europe/Brussels
BEN Africa/Porto-Novo
BES America/Kralendijk
BFA Africa/Ouagadougou
BGD Asia/Dhaka
BGR Europe/Sofia
BHR Asia/Bahrain
BHS America/Nassau
BIH Europe/Sarajevo
BLM America/St_Barthelemy
BLR Europe/Minsk
BLZ America/Belize
BMU Atlantic/Bermuda
BOL America/La_Paz
BRA America/Noronha-0351-03225 America/Belem-0127-04829 America/Fortaleza-0343-03830 America/Recife-0803-03454 America/Araguaina-0712-04812 America/Maceio-0940-03543 America/Bahia-1259-03831 America/Sao_Paulo-2332-04637 America/Campo_Grande-2027-05437 America/Cuiaba-1535-05605 America/Santarem-0226-05452 America/Porto_Velho-0846-06354 America/Boa_Vista+0249-06040 America/Manaus-0308-06001 America/Eirunepe-0640-06952 America/Rio_Branco-0958-06748
BRB America/Barbados
BRN Asia/Brunei
BTN Asia/Thimphu
BWA Africa/Gaborone
CAF Africa/Bangui
CAN America/St_Johns+4734-05243 America/Halifax+4439-06336 America/Glace_Bay+4612-05957 America/Moncton+4606-06447 America/Goose_Bay+5320-06025 America/Blanc-Sablon+5125-05707 America/Toronto+4339-07923 America/Iqaluit+6344-06828 America/Atikokan+484531-0913718 America/Winnipeg+4953-09709 America/Resolute+744144-0944945 America/Rankin_Inlet+624900-0920459 America/Regina+5024-10439 America/Swift_Current+5017-10750 America/Edmonton+5333-11328 America/Cambridge_Bay+690650-1050310 America/Inuvik+682059-1334300 America/Vancouver+4916-12307 America/Creston+4906-11631 America/Dawson_Creek+5546-12014 America/Fort_Nelson+5848-12242 America/Whitehorse+6043-13503 America/Dawson+6404-13925
CCK Indian/Cocos
CHE Europe/Zurich
CHL America/Santiago-3327-07040 America/Coyhaique-4534-07204 America/Punta_Arenas-5309-07055 Pacific/Easter-2709-10926
CHN Asia/Shanghai+3114+12128 Asia/Urumqi+4348+08735
CIV Africa/Abidjan
CMR Africa/Douala
COD Africa/Kinshasa-0418+01518 Africa/Lubumbashi-1140+02728
COG Africa/Brazzaville
COK Pacific/Rarotonga
COL America/Bogota
COM Indian/Comoro
CPV Atlantic/Cape_Verde
CRI America/Costa_Rica
CUB America/Havana
CUW America/Curacao
CXR Indian/Christmas
CYM America/Cayman
CYP Asia/Nicosia+3510+03322 Asia/Famagusta+3507+03357
CZE Europe/Prague
DEU Europe/Berlin+5230+01322 Europe/Busingen+4742+00841
DJI Africa/Djibouti
DMA America/Dominica
DNK Europe/Copenhagen
DOM America/Santo_Domingo
DZA Africa/Algiers
ECU America/Guayaquil-0210-07950 Pacific/Galapagos-0054-08936
EGY Africa/Cairo
ERI Africa/Asmara
ESH Africa/El_Aaiun
ESP Europe/Madrid+4024-00341 Africa/Ceuta+3553-00519 Atlantic/Canary+2806-01524
EST Europe/Tallinn
ETH Africa/Addis_Ababa
FIN Europe/Helsinki
FJI Pacific/Fiji
FLK Atlantic/Stanley
FRA Europe/Paris
FRO Atlantic/Faroe
FSM Pacific/Chuuk+0725+15147 Pacific/Pohnpei+0658+15813 Pacific/Kosrae+0519+16259
GAB Africa/Libreville
GBR Europe/London
GEO Asia/Tbilisi
GGY Europe/Guernsey
GHA Africa/Accra
GIB Europe/Gibraltar
GIN Africa/Conakry
GLP America/Guadeloupe
GMB Africa/Banjul
GNB Africa/Bissau
GNQ Africa/Malabo
GRC Europe/Athens
GRD America/Grenada
GRL America/Nuuk+6411-05144 America/Danmarkshavn+7646-01840 America/Scoresbysund+7029-02158 America/Thule+7634-06847
GTM America/Guatemala
GUF America/Cayenne
GUM Pacific/Guam
GUY America/Guyana
HKG Asia/Hong_Kong
HND America/Tegucigalpa
HRV Europe/Zagreb
HTI America/Port-au-Prince
HUN Europe/Budapest
IDN Asia/Jakarta-0610+10648 Asia/Pontianak-0002+10920 Asia/Makassar-0507+11924 Asia/Jayapura-0232+14042
IMN Europe/Isle_of_Man
IND Asia/Kolkata
IOT Indian/Chagos
IRL Europe/Dublin
IRN Asia/Tehran
IRQ Asia/Baghdad
ISL Atlantic/Reykjavik
ISR Asia/Jerusalem
ITA Europe/Rome
JAM America/Jamaica
JEY Europe/Jersey
JOR Asia/Amman
JPN Asia/Tokyo
KAZ Asia/Almaty+4315+07657 Asia/Qyzylorda+4448+06528 Asia/Qostanay+5312+06337 Asia/Aqtobe+5017+05710 Asia/Aqtau+4431+05016 Asia/Atyrau+4707+05156 Asia/Oral+5113+05121
KEN Africa/Nairobi
KGZ Asia/Bishkek
KHM Asia/Phnom_Penh
KIR Pacific/Tarawa+0125+17300 Pacific/Kanton-0247-17143 Pacific/Kiritimati+0152-15720
KNA America/St_Kitts
KOR Asia/Seoul
KWT Asia/Kuwait
LAO Asia/Vientiane
LBN Asia/Beirut
LBR Africa/Monrovia
LBY Africa/Tripoli
LCA America/St_Lucia
LIE Europe/Vaduz
LKA Asia/Colombo
LSO Africa/Maseru
LTU Europe/Vilnius
LUX Europe/Luxembourg
LVA Europe/Riga
MAC Asia/Macau
MAF America/Marigot
MAR Africa/Casablanca
MCO Europe/Monaco
MDA Europe/Chisinau
MDG Indian/Antananarivo
MDV Indian/Maldives
MEX America/Mexico_City+1924-09909 America/Cancun+2105-08646 America/Merida+2058-08937 America/Monterrey+2540-10019 America/Matamoros+2550-09730 America/Chihuahua+2838-10605 America/Ciudad_Juarez+3144-10629 America/Ojinaga+2934-10425 America/Mazatlan+2313-10625 America/Bahia_Banderas+2048-10515 America/Hermosillo+2904-11058 America/Tijuana+3232-11701
MHL Pacific/Majuro+0709+17112 Pacific/Kwajalein+0905+16720
MKD Europe/Skopje
MLI Africa/Bamako
MLT Europe/Malta
MMR Asia/Yangon
MNE Europe/Podgorica
MNG Asia/Ulaanbaatar+4755+10653 Asia/Hovd+4801+09139
MNP Pacific/Saipan
MOZ Africa/Maputo
MRT Africa/Nouakchott
MSR America/Montserrat
MTQ America/Martinique
MUS Indian/Mauritius
MWI Africa/Blantyre
MYS Asia/Kuala_Lumpur+0310+10142 Asia/Kuching+0133+11020
MYT Indian/Mayotte
NAM Africa/Windhoek
NCL Pacific/Noumea
NER Africa/Niamey
NFK Pacific/Norfolk
NGA Africa/Lagos
NIC America/Managua
NIU Pacific/Niue
NLD Europe/Amsterdam
NOR Europe/Oslo
NPL Asia/Kathmandu
NRU Pacific/Nauru
NZL Pacific/Auckland-3652+17446 Pacific/Chatham-4357-17633
OMN Asia/Muscat
PAK Asia/Karachi
PAN America/Panama
PCN Pacific/Pitcairn
PER America/Lima
PHL Asia/Manila
PLW Pacific/Palau
PNG Pacific/Port_Moresby-0930+14710 Pacific/Bougainville-0613+15534
POL Europe/Warsaw
PRI America/Puerto_Rico
PRK Asia/Pyongyang
PRT Europe/Lisbon+3843-00908 Atlantic/Madeira+3238-01654 Atlantic/Azores+3744-02540
PRY America/Asuncion
PSE Asia/Gaza+3130+03428 Asia/Hebron+313200+0350542
PYF Pacific/Tahiti-1732-14934 Pacific/Marquesas-0900-13930 Pacific/Gambier-2308-13457
QAT Asia/Qatar
REU Indian/Reunion
ROU Europe/Bucharest
RUS Europe/Kaliningrad+5443+02030 Europe/Moscow+554521+0373704 Europe/Kirov+5836+04939 Europe/Volgograd+4844+04425 Europe/Astrakhan+4621+04803 Europe/Saratov+5134+04602 Europe/Ulyanovsk+5420+04824 Europe/Samara+5312+05009 Asia/Yekaterinburg+5651+06036 Asia/Omsk+5500+07324 Asia/Novosibirsk+5502+08255 Asia/Barnaul+5322+08345 Asia/Tomsk+5630+08458 Asia/Novokuznetsk+5345+08707 Asia/Krasnoyarsk+5601+09250 Asia/Irkutsk+5216+10420 Asia/Chita+5203+11328 Asia/Yakutsk+6200+12940 Asia/Khandyga+623923+1353314 Asia/Vladivostok+4310+13156 Asia/Ust-Nera+643337+1431336 Asia/Magadan+5934+15048 Asia/Sakhalin+4658+14242 Asia/Srednekolymsk+6728+15343 Asia/Kamchatka+5301+15839 Asia/Anadyr+6445+17729
RWA Africa/Kigali
SAU Asia/Riyadh
SDN Africa/Khartoum
SEN Africa/Dakar
SGP Asia/Singapore
SGS Atlantic/South_Georgia
SHN Atlantic/St_Helena
SJM Arctic/Longyearbyen
SLB Pacific/Guadalcanal
SLE Africa/Freetown
SLV America/El_Salvador
SMR Europe/San_Marino
SOM Africa/Mogadishu
SPM America/Miquelon
SRB Europe/Belgrade
SSD Africa/Juba
STP Africa/Sao_Tome
SUR America/Paramaribo
SVK Europe/Bratislava
SVN Europe/Ljubljana
SWE Europe/Stockholm
SWZ Africa/Mbabane
SXM America/Lower_Princes
SYC Indian/Mahe
SYR Asia/Damascus
TCA America/Grand_Turk
TCD Africa/Ndjamena
TGO Africa/Lome
THA Asia/Bangkok
TJK Asia/Dushanbe
TKL Pacific/Fakaofo
TKM Asia/Ashgabat
TLS Asia/Dili
TON Pacific/Tongatapu
TTO America/Port_of_Spain
TUN Africa/Tunis
TUR Europe/Istanbul
TUV Pacific/Funafuti
TWN Asia/Taipei
TZA Africa/Dar_es_Salaam
UGA Africa/Kampala
UKR Europe/Simferopol+4457+03406 Europe/Kyiv+5026+03031
UMI Pacific/Midway+2813-17722 Pacific/Wake+1917+16637
URY America/Montevideo
USA America/New_York+404251-0740023 America/Detroit+421953-0830245 America/Kentucky/Louisville+381515-0854534 America/Kentucky/Monticello+364947-0845057 America/Indiana/Indianapolis+394606-0860929 America/Indiana/Vincennes+384038-0873143 America/Indiana/Winamac+410305-0863611 America/Indiana/Marengo+382232-0862041 America/Indiana/Petersburg+382931-0871643 America/Indiana/Vevay+384452-0850402 America/Chicago+415100-0873900 America/Indiana/Tell_City+375711-0864541 America/Indiana/Knox+411745-0863730 America/Menominee+450628-0873651 America/North_Dakota/Center+470659-1011757 America/North_Dakota/New_Salem+465042-1012439 America/North_Dakota/Beulah+471551-1014640 America/Denver+394421-1045903 America/Boise+433649-1161209 America/Phoenix+332654-1120424 America/Los_Angeles+340308-1181434 America/Anchorage+611305-1495401 America/Juneau+581807-1342511 America/Sitka+571035-1351807 America/Metlakatla+550737-1313435 America/Yakutat+593249-1394338 America/Nome+643004-1652423 America/Adak+515248-1763929 Pacific/Honolulu+211825-1575130
UZB Asia/Samarkand+3940+06648 Asia/Tashkent+4120+06918
VAT Europe/Vatican
VCT America/St_Vincent
VEN America/Caracas
VGB America/Tortola
VIR America/St_Thomas
VNM Asia/Ho_Chi_Minh
VUT Pacific/Efate
WLF Pacific/Wallis
WSM Pacific/Apia
YEM Asia/Aden
ZAF Africa/Johannesburg
ZMB Africa/Lusaka
ZWE Africa/Harare
"""
