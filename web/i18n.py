"""English and Norwegian (bokmål) interface text.

Messages are keyed by their English text; :data:`NB` holds the bokmål translations. The
language is the user's choice (``/lang/nb``), else the browser's preference, else English.
Resource names come from the taxonomy in both languages.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, has_request_context, request, session

from symbiosis.disclosure import Figure
from symbiosis.messages import renderer
from symbiosis.model import Reason
from symbiosis.report_html import figure_text

from .data import taxonomy

__all__ = ["LANGUAGES", "NB", "gettext", "current_language", "resource_label", "init_app",
           "figure_words", "number_text"]

LANGUAGES = {"en": "English", "nb": "Norsk (bokmål)"}

NB: dict[str, str] = {
    # background jobs
    "Matching": "Matching",
    "Optimizer": "Optimering",
    "Other pages stay usable while this runs; this page follows it.":
        "Andre sider kan brukes mens dette kjører; denne siden følger det.",
    "of at most": "av høyst",
    "Waiting to start": "Venter på å starte",
    "Running": "Kjører",
    "Done": "Ferdig",
    "Failed": "Feilet",
    "Cancelled": "Avbrutt",
    "solving": "løser",
    "saving": "lagrer",
    "matching": "matcher",
    # navigation and common words
    "Home": "Hjem",
    "Companies": "Bedrifter",
    "Company": "Bedrift",
    "Upload": "Last opp",
    "Candidates": "Kandidater",
    "Optimize": "Optimaliser",
    "Network": "Nettverk",
    "Map": "Kart",
    "Indicators": "Indikatorer",
    "Parks": "Industriområder",
    "Exchanges": "Utvekslinger",
    "Sign in": "Logg inn",
    "Sign out": "Logg ut",
    "Username": "Brukernavn",
    "Password": "Passord",
    "Wrong username or password.": "Feil brukernavn eller passord.",
    "Too many wrong passwords for this user: locked for {minutes} min.":
        "For mange feil passord for denne brukeren: sperret i {minutes} min.",
    "Too many wrong passwords from your address: locked for {minutes} min.":
        "For mange feil passord fra adressen din: sperret i {minutes} min.",
    "This account is disabled.": "Denne kontoen er deaktivert.",
    "You may not do this": "Du har ikke tilgang til dette",
    "Not found": "Ikke funnet",
    "Signed in as": "Logget inn som",
    "Search": "Søk",
    "Filter": "Filtrer",
    "Save": "Lagre",
    "Delete": "Slett",
    "Edit": "Rediger",
    "Cancel": "Avbryt",
    "Add": "Legg til",
    "Name": "Navn",
    "County": "Fylke",
    "Municipality": "Kommune",
    "from the municipality": "fra kommunen",
    "Country (outside Norway)": "Land (utenfor Norge)",
    "Cluster": "Klynge",
    "Park": "Industriområde",
    "Resource": "Ressurs",
    "Direction": "Retning",
    "supply": "tilbud",
    "demand": "behov",
    "Amount": "Mengde",
    "Unit": "Enhet",
    "unknown": "ukjent",
    "Confidential": "Fortrolig",
    "confidential": "fortrolig",
    "Description": "Beskrivelse",
    "Source": "Kilde",
    "Latitude": "Breddegrad",
    "Longitude": "Lengdegrad",
    "Organisation number": "Organisasjonsnummer",
    "NACE code": "NACE-kode",
    "Flows": "Strømmer",
    "Flow": "Strøm",
    "Add a flow": "Legg til strøm",
    "Edit flow": "Rediger strøm",
    "New company": "Ny bedrift",
    "Edit company": "Rediger bedrift",
    "Delete this company and all its flows?": "Slette bedriften og alle strømmene?",
    "Delete this flow?": "Slette strømmen?",
    "Saved.": "Lagret.",
    "Deleted.": "Slettet.",
    "Please correct the fields below.": "Rett feltene nedenfor.",
    "Months": "Måneder",
    "Price (NOK per unit)": "Pris (NOK per enhet)",
    "EWC code": "EAL-kode",
    "Temperature (°C)": "Temperatur (°C)",
    "all": "alle",
    # home
    "Industrial symbiosis": "Industriell symbiose",
    "The store is empty.": "Lageret er tomt.",
    "Load the demo data (three Norwegian cases)": "Last inn demodata (tre norske caser)",
    "Demo data loaded.": "Demodata lastet inn.",
    "companies": "bedrifter",
    "flows": "strømmer",
    "candidates": "kandidater",
    "plans": "planer",
    "exchanges": "utvekslinger",
    # upload
    "Upload a spreadsheet": "Last opp regneark",
    "Confirm what these cells mean": "Bekreft hva disse cellene betyr",
    "Your choice is saved for your cluster and used on the next import.":
        "Valget lagres for klyngen din og brukes ved neste import.",
    "As written": "Slik det er skrevet",
    "Confirm and check again": "Bekreft og kontroller på nytt",
    "Read from text": "Lest fra tekst",
    "Read as": "Lest som",
    "Confidence": "Sikkerhet",
    "Details": "Detaljer",
    "CSV or XLSX, same columns as the command line import.":
        "CSV eller XLSX, samme kolonner som importen på kommandolinjen.",
    "File": "Fil",
    "What the CSV holds": "Hva CSV-filen inneholder",
    "from the file name": "fra filnavnet",
    "Check": "Kontroller",
    "Preview": "Forhåndsvisning",
    "Row": "Rad",
    "Field": "Felt",
    "Message": "Melding",
    "Table": "Tabell",
    "errors: nothing has been stored. Fix the file and upload it again.":
        "feil: ingenting er lagret. Rett filen og last den opp igjen.",
    "No errors. Nothing is stored until you commit.":
        "Ingen feil. Ingenting lagres før du lagrer.",
    "Commit": "Lagre i databasen",
    "Imported": "Importert",
    "The upload has expired; upload the file again.":
        "Opplastingen er utløpt; last opp filen på nytt.",
    "Warnings": "Advarsler",
    # candidates
    "Candidate exchanges": "Kandidater til utveksling",
    "Max distance (km)": "Maks avstand (km)",
    "Min value (NOK/yr)": "Min. verdi (NOK/år)",
    "Sort by": "Sorter etter",
    "score": "poeng",
    "distance": "avstand",
    "value": "verdi",
    "CO2 avoided": "CO2 unngått",
    "Download CSV": "Last ned CSV",
    "Supplier": "Leverandør",
    "Receiver": "Mottaker",
    "Distance (km)": "Avstand (km)",
    "Value (NOK/yr)": "Verdi (NOK/år)",
    "CO2 avoided (t/yr)": "CO2 unngått (t/år)",
    "Reasons": "Begrunnelse",
    "Limits": "Begrensninger",
    "matches": "treff",
    "showing": "viser",
    "Run matching": "Kjør matching",
    "Matching done.": "Matching fullført.",
    "No candidates stored yet.": "Ingen kandidater lagret ennå.",
    # optimize
    "Objective": "Mål",
    "net annual value": "netto årlig verdi",
    "CO2 avoided, then value": "unngått CO2, deretter verdi",
    "Budget (NOK/yr, optional)": "Budsjett (NOK/år, valgfritt)",
    "Time limit (s)": "Tidsgrense (s)",
    "Frontier points": "Punkter på fronten",
    "Run the optimizer": "Kjør optimalisering",
    "Plan": "Plan",
    "Plans": "Planer",
    "Status": "Status",
    "Gap": "Gap",
    "Bound": "Grense",
    "Solve time (s)": "Løsetid (s)",
    "Totals": "Totaler",
    "Facilities built": "Anlegg som bygges",
    "Needs data": "Mangler data",
    "Cost versus CO2 avoided": "Kostnad mot unngått CO2",
    "Net cost (NOK/yr)": "Nettokostnad (NOK/år)",
    "Mode": "Transportmåte",
    "Reason": "Årsak",
    "No plan yet.": "Ingen plan ennå.",
    # scopes, scenarios and the plan's account
    "A plan replaces only the proposals of earlier plans for the same county, municipality "
    "or park; a scenario leaves the proposals alone until someone adopts it. Agreed and "
    "operating exchanges are facts: never proposed again.":
        "En plan erstatter bare forslagene fra tidligere planer for samme fylke, kommune "
        "eller industriområde; et scenario lar forslagene være til noen vedtar det. Avtalte "
        "utvekslinger og utvekslinger i drift er fakta: de foreslås aldri på nytt.",
    "A scenario is a plan saved under a name: the live proposals are left alone until "
    "someone with the right adopts it.":
        "Et scenario er en plan lagret under et navn: de gjeldende forslagene får være til "
        "noen med rett til det vedtar scenarioet.",
    "Account": "Regnskap",
    "Activity (units/yr)": "Aktivitet (enheter/år)",
    "Adopt: make these the live proposals of the scope":
        "Vedta: gjør disse til de gjeldende forslagene for området",
    "Adopted": "Vedtatt",
    "adopted": "vedtatt",
    "At most": "Høyst",
    "Compare plans": "Sammenlign planer",
    "Compare side by side": "Sammenlign side om side",
    "Pick two or more scenarios to compare.": "Velg to eller flere scenarier å sammenligne.",
    "Condition": "Betingelse",
    "Conditional proposals": "Betingede forslag",
    "Could change the value by (NOK/yr)": "Kan endre verdien med (NOK/år)",
    "and CO2 by (t/yr)": "og CO2 med (t/år)",
    "Every krone and tonne of the totals, line by line.":
        "Hver krone og hvert tonn i totalene, linje for linje.",
    "Exchanges proposed": "Foreslåtte utvekslinger",
    "Exchanges that depend on a quantity nobody has given yet; not counted in the totals.":
        "Utvekslinger som avhenger av en mengde ingen har oppgitt ennå; ikke regnet med i "
        "totalene.",
    "Facility": "Anlegg",
    "Fixed cost (NOK/yr)": "Fast kostnad (NOK/år)",
    "Fixed costs (NOK/yr)": "Faste kostnader (NOK/år)",
    "Known amount of the partner": "Partnerens kjente mengde",
    "Line": "Linje",
    "Live proposals of this scope.": "Gjeldende forslag for dette området.",
    "Net value": "Nettoverdi",
    "Links built": "Koblinger som bygges",
    "Fixed cost of the links built": "Fast kostnad for koblingene som bygges",
    "Fixed cost of the facilities built": "Fast kostnad for anleggene som bygges",
    "NOK/yr": "NOK/år",
    "t/yr": "t/år",
    "No scenario yet.": "Ingen scenarier ennå.",
    "Save as a scenario named (optional)": "Lagre som scenario med navnet (valgfritt)",
    "Scenario": "Scenario",
    "Scenarios": "Scenarier",
    "Scenario adopted by": "Scenario vedtatt av",
    "Scenario adopted: its exchanges are the proposals of its scope now.":
        "Scenarioet er vedtatt: utvekslingene er nå forslagene for området.",
    "Scenario: the live proposals are left alone until it is adopted.":
        "Scenario: de gjeldende forslagene får være til det vedtas.",
    "Scope": "Omfang",
    "The missing figures, the one that could change the plan most first: how much the "
    "plan changes when the flow is assumed at the most its partners could take or give.":
        "De manglende tallene, det som kan endre planen mest først: hvor mye planen endres "
        "når strømmen antas å være så stor som partnerne kan ta imot eller gi.",
    "What": "Hva",
    "agreed or operating exchanges held as facts":
        "avtalte utvekslinger og utvekslinger i drift holdt som fakta",
    "everything": "alt",
    "Exchange": "Utveksling",
    "Link built": "Kobling som bygges",
    "Facility fixed cost": "Anleggets faste kostnad",
    "Facility running cost": "Anleggets driftskostnad",
    "Sold on the market": "Solgt i markedet",
    "Bought on the market": "Kjøpt i markedet",
    "Lines with confidential flows": "Linjer med fortrolige strømmer",
    "Lines outside your county": "Linjer utenfor fylket ditt",
    "If {flow} ({company}) supplies at least {amount}, this exchange costs {value} kNOK/yr "
    "itself and feeds a facility whose lines carry the gain":
        "Hvis {flow} ({company}) leverer minst {amount}, koster denne utvekslingen selv "
        "{value} kNOK/år og forsyner et anlegg der gevinsten står på anleggets linjer",
    "If {flow} ({company}) takes at least {amount}, this exchange costs {value} kNOK/yr "
    "itself and feeds a facility whose lines carry the gain":
        "Hvis {flow} ({company}) tar imot minst {amount}, koster denne utvekslingen selv "
        "{value} kNOK/år og forsyner et anlegg der gevinsten står på anleggets linjer",
    "If {flow} ({company}) supplies at least {amount}, this exchange is worth at least "
    "{value} kNOK/yr":
        "Hvis {flow} ({company}) leverer minst {amount}, er denne utvekslingen verdt minst "
        "{value} kNOK/år",
    "If {flow} ({company}) takes at least {amount}, this exchange is worth at least "
    "{value} kNOK/yr":
        "Hvis {flow} ({company}) tar imot minst {amount}, er denne utvekslingen verdt minst "
        "{value} kNOK/år",
    # network and map
    "Network picture": "Nettverksbilde",
    "Best partners": "Beste partnere",
    "For each flow, its three best exchanges with another company; conversions through a "
    "facility still to build are listed apart.":
        "For hver strøm de tre beste utvekslingene med et annet selskap; omdanning gjennom "
        "et anlegg som ennå ikke er bygd, står for seg.",
    "Partner": "Motpart",
    "through a facility to build": "gjennom et anlegg som må bygges",
    "no candidates": "ingen kandidater",
    "whole store": "hele lageret",
    "Companies and exchanges": "Bedrifter og utvekslinger",
    "exchanges involving confidential flows are not drawn":
        "utvekslinger med fortrolige strømmer er ikke tegnet",
    # indicators and parks
    "Indicators toward 2030": "Indikatorer mot 2030",
    "Symbioses": "Symbioser",
    "Proposals": "Forslag",
    "Waste diverted (t/yr)": "Avfall omdirigert (t/år)",
    "Energy recovered (MWh/yr)": "Energi gjenvunnet (MWh/år)",
    "Water reused (m3/yr)": "Vann gjenbrukt (m3/år)",
    "Participation": "Deltakelse",
    "Counties": "Fylker",
    "Target reached": "Mål nådd",
    "yes": "ja",
    "no": "nei",
    "Trajectory": "Utvikling",
    "realised": "realisert",
    "realised + proposed": "realisert + foreslått",
    "Net-zero parks": "Netto null-områder",
    "Baseline (t CO2e/yr)": "Utgangspunkt (t CO2e/år)",
    "Target (t CO2e/yr)": "Mål (t CO2e/år)",
    "Residual (t CO2e/yr)": "Restutslipp (t CO2e/år)",
    "Net zero": "Netto null",
    "Plan the park": "Planlegg området",
    "Park planner": "Områdeplanlegger",
    "Reachable": "Oppnåelig",
    "NOT reachable": "IKKE oppnåelig",
    "Reduction (t/yr)": "Reduksjon (t/år)",
    "Already avoided (t/yr)": "Allerede unngått (t/år)",
    "Needed (t/yr)": "Nødvendig (t/år)",
    "The park has no emission baseline yet.": "Området har ikke utslippsgrunnlag ennå.",
    "from exchanges": "fra utvekslinger",
    "Figures shown as a range or as confidential are built from confidential flows.":
        "Tall vist som et intervall eller som fortrolig bygger på fortrolige strømmer.",
    "The cost-versus-CO2 frontier is not shown: it may be built from confidential flows.":
        "Kostnad mot CO2-fronten vises ikke: den kan bygge på fortrolige strømmer.",
    # exchanges
    "Lifecycle": "Livsløp",
    "History": "Historikk",
    "Move to": "Flytt til",
    "Start year": "Startår",
    "End year": "Sluttår",
    "Note": "Merknad",
    "proposed": "foreslått",
    "agreed": "avtalt",
    "operating": "i drift",
    "ended": "avsluttet",
    "candidate": "kandidat",
    # uploads, ownership and plausibility
    "The first {n} are listed.": "De første {n} er listet.",
    "Move to cluster": "Flytt til klynge",
    "Move": "Flytt",
    "Name the cluster to move the company to.": "Oppgi klyngen bedriften skal flyttes til.",
    "The amount is right even though it is very large":
        "Mengden er riktig selv om den er svært stor",
    # CO2 factors
    "CO2 factors": "CO2-faktorer",
    "What a recovered resource replaces decides the CO2 it avoids.":
        "Det en gjenvunnet ressurs erstatter, avgjør hvor mye CO2 den sparer.",
    "A demand flow may name a factor (replaces); else its park's choice applies, then its "
    "county's, then its resource's default.":
        "En etterspørsel kan nevne en faktor (replaces); ellers gjelder valget for "
        "industriområdet, så for fylket, så ressursens standard.",
    "Key": "Nøkkel",
    "Replaces (CO2 factor, demand only)": "Erstatter (CO2-faktor, bare etterspørsel)",
    "Label": "Navn",
    "Label (Norwegian)": "Navn (norsk)",
    "Applies to": "Gjelder",
    "Factor": "Faktor",
    "Year": "År",
    "Added by": "Lagt til av",
    "Defaults per resource": "Standard per ressurs",
    "Replaces": "Erstatter",
    "Choices per park and county": "Valg per industriområde og fylke",
    "Where": "Hvor",
    "Park or county": "Industriområde eller fylke",
    "the default": "standarden",
    "Add a factor set": "Legg til et faktorsett",
    "Notes": "Merknader",
    "park": "industriområde",
    "county": "fylke",
    # -- the map (issue 15): base layers, legend, filters, popups -- begin ------------------
    "Borders and coastline": "Grenser og kystlinje",
    "Norway": "Norge",
    "Municipalities": "Kommuner",
    "Basemap": "Bakgrunnskart",
    "Legend": "Tegnforklaring",
    "Companies, by the main resource family of their flows":
        "Bedrifter, etter hovedressursfamilien i strømmene deres",
    "no flows shown": "ingen strømmer vist",
    "Exchanges, by status": "Utvekslinger, etter status",
    "County border": "Fylkesgrense",
    "Municipality border": "Kommunegrense",
    "Resource family": "Ressursfamilie",
    "All families": "Alle familier",
    "All counties": "Alle fylker",
    "All municipalities": "Alle kommuner",
    "Exchange status": "Utvekslingsstatus",
    "Show all": "Vis alle",
    "{shown} of {total} companies, {lines} of {all_lines} exchanges":
        "{shown} av {total} bedrifter, {lines} av {all_lines} utvekslinger",
    "Click the map to place a new company there.":
        "Klikk i kartet for å plassere en ny bedrift der.",
    "Place a new company here": "Plasser en ny bedrift her",
    "Outside the municipalities (sea or abroad)": "Utenfor kommunene (sjø eller utland)",
    "{amount} {unit}/yr": "{amount} {unit}/år",
    "amount unknown": "mengde ukjent",
    "from {year}": "fra {year}",
    "Energy": "Energi",
    "Fuels": "Brensel",
    "Gases": "Gasser",
    "Chemicals": "Kjemikalier",
    "Metals": "Metaller",
    "Minerals": "Mineraler",
    "Organic material": "Organisk materiale",
    "Mixed waste": "Blandet avfall",
    "Water": "Vann",
    "Other": "Annet",
    "Proposed": "Foreslått",
    "Agreed": "Avtalt",
    "Operating": "I drift",
    # -- the map (issue 15) -- end ----------------------------------------------------------
    # -- exchange-flow (issue 15): candidate to exchange, plan as a report, home page ----
    # (kept in one block to ease merging with the complete bokmål)
    "Candidate": "Kandidat",
    "Open": "Åpne",
    "Figures": "Tall",
    "Amount the link can carry": "Mengde forbindelsen kan bære",
    "Why they match": "Hvorfor de passer sammen",
    "Exchanges on this pair": "Utvekslinger mellom disse to",
    "None yet.": "Ingen ennå.",
    "Since": "Siden",
    "Made by": "Laget av",
    "Made by plan": "Laget av plan",
    "Documented case": "Dokumentert case",
    "Started by hand": "Startet for hånd",
    "This pair already has an exchange under way:":
        "Disse to har allerede en utveksling på gang:",
    "Move that one on instead of starting another.":
        "Før den videre i stedet for å starte en ny.",
    "Start an exchange": "Start en utveksling",
    "You have talked with the companies: record it as a proposed exchange, then follow it "
    "to agreed and operating. Later plans hold it as a fact: they neither drop it nor "
    "propose the pair again.":
        "Du har snakket med bedriftene: registrer det som en foreslått utveksling, og følg "
        "den til avtalt og i drift. Senere planer tar den som et faktum: de verken fjerner "
        "den eller foreslår paret på nytt.",
    "Note: whom you contacted, what you proposed":
        "Merknad: hvem du kontaktet, hva du foreslo",
    "e.g. called both companies; they will meet in May":
        "f.eks. ringte begge bedriftene; de møtes i mai",
    "Amount per year (empty: what the link can carry)":
        "Mengde per år (tom: det forbindelsen kan bære)",
    "yr": "år",
    "Start the exchange (proposed)": "Start utvekslingen (foreslått)",
    "The amount must be a number.": "Mengden må være et tall.",
    "Exchange started: proposed.": "Utveksling startet: foreslått.",
    "The candidate": "Kandidaten",
    "When": "Når",
    "Who": "Hvem",
    "existing exchanges held as facts (agreed, operating or started by hand)":
        "eksisterende utvekslinger tatt som fakta (avtalt, i drift eller startet for hånd)",
    "CO2 avoided (t CO2/yr)": "CO2 unngått (t CO2/år)",
    "Net cost (NOK/yr; below 0 the plan earns)":
        "Nettokostnad (NOK/år; under 0 tjener planen)",
    "Download as XLSX (totals, lines, exchanges)":
        "Last ned som XLSX (summer, linjer, utvekslinger)",
    "Lines": "Linjer",
    "Total": "Sum",
    "Value": "Verdi",
    "Detail": "Detalj",
    "Sum of the lines": "Sum av linjene",
    "Store": "Datalager",
    "No companies are stored yet.": "Ingen bedrifter er lagret ennå.",
    "No companies of your county are stored yet.":
        "Ingen bedrifter i fylket ditt er lagret ennå.",
    "An admin can load the demo data (three Norwegian cases).":
        "En administrator kan laste inn demodataene (tre norske caser).",
    # -- end of exchange-flow block ----------------------------------------------------
    # -- network picture (issue 15, branch network): keep this block together ----------
    "quantity unknown": "mengde ukjent",
    "under": "under",
    "over": "over",
    "… and {n} more": "… og {n} til",
    "Confidential company ({place})": "Fortrolig bedrift ({place})",
    "links": "koblinger",
    "{n} links": "{n} koblinger",
    "Links inside": "Koblinger innad",
    "link": "kobling",
    "1 link": "1 kobling",
    "municipality": "kommune",
    "{n} companies are too many to draw one by one: they are drawn one node per {area}. "
    "Double-click a node to draw its companies.":
        "{n} bedrifter er for mange til å tegnes én og én: de er tegnet som én node per "
        "{area}. Dobbeltklikk på en node for å tegne bedriftene i den.",
    "Drawn: the best {k} candidates of each flow, {drawn} of {total} candidate links.":
        "Tegnet: de {k} beste kandidatene for hver strøm, {drawn} av {total} "
        "kandidatkoblinger.",
    "Drawn: the best {drawn} of {total} candidate links.":
        "Tegnet: de {drawn} beste av {total} kandidatkoblinger.",
    "Double-click to open": "Dobbeltklikk for å åpne",
    "Double-click to draw it company by company":
        "Dobbeltklikk for å tegne den bedrift for bedrift",
    "Double-click to show or hide its flows": "Dobbeltklikk for å vise eller skjule strømmene",
    "Candidates per flow": "Kandidater per strøm",
    "Draw": "Tegn",
    "Company (size: its flows; colour: its main resource family)":
        "Bedrift (størrelse: strømmene; farge: hovedressursfamilien)",
    "Confidential companies of a municipality": "Fortrolige bedrifter i en kommune",
    "Group (county, municipality or park): double-click to open":
        "Gruppe (fylke, kommune eller industriområde): dobbeltklikk for å åpne",
    "Flows of a company (supply ●, demand ▼): double-click the company":
        "Strømmene til en bedrift (tilbud ●, behov ▼): dobbeltklikk på bedriften",
    "Show": "Vis",
    "Min. candidate score": "Min. kandidatpoeng",
    "Only companies with links": "Bare bedrifter med koblinger",
    "Open all groups": "Åpne alle grupper",
    "Group again": "Grupper igjen",
    "companies shown": "bedrifter vist",
    # -- end of the network picture block ------------------------------------------------
    # units, bands and names of keys (web/words.py)
    "ID": "ID",
    "Purity (%)": "Renhet (%)",
    "Dry matter (%)": "Tørrstoff (%)",
    "Moisture (%)": "Fuktighet (%)",
    "Lowest temperature (°C)": "Laveste temperatur (°C)",
    "Highest temperature (°C)": "Høyeste temperatur (°C)",
    "Hazardous waste": "Farlig avfall",
    "Inputs": "Innsatsstrømmer",
    "Outputs": "Utgående strømmer",
    "Capacity": "Kapasitet",
    "Sheet": "Ark",
    "Cells": "Celler",
    "administrator": "administrator",
    "cluster manager": "klyngeleder",
    "county staff": "fylkesansatt",
    "viewer": "leser",
    "energy": "energi",
    "gases": "gasser",
    "organics": "organisk materiale",
    "minerals": "mineraler",
    "water": "vann",
    "chemicals": "kjemikalier",
    "waste": "avfall",
    "other": "annet",
    "parks": "industriområder",
    "processes": "prosesser",
    "remaining quantity unknown: an existing exchange has no amount":
        "gjenværende mengde ukjent: en eksisterende utveksling har ingen mengde",
    "value unknown: no price for the demand resource":
        "verdi ukjent: ingen pris for ressursen i behovet",
    "EWC": "EAL",
    "live plan": "gjeldende plan",
    # refusals and form errors made by the pages
    "Choose a CSV or XLSX file.": "Velg en CSV- eller XLSX-fil.",
    "{name}: only CSV or XLSX files": "{name}: bare CSV- eller XLSX-filer",
    "no company {id}": "bedriften {id} finnes ikke",
    "no flow {id}": "strømmen {id} finnes ikke",
    "no exchange {id}": "utvekslingen {id} finnes ikke",
    "no plan {id}": "planen {id} finnes ikke",
    "no park {id}": "industriområdet {id} finnes ikke",
    "no job {id}": "jobben {id} finnes ikke",
    "There is no such page.": "Siden finnes ikke.",
    "import data": "importere data",
    "manage CO2 factors": "administrere CO2-faktorer",
    "move companies between clusters": "flytte bedrifter mellom klynger",
    "create companies": "opprette bedrifter",
    "delete company {id}": "slette bedriften {id}",
    "change company {id}": "endre bedriften {id}",
    "company {id}": "bedriften {id}",
    "company {id} is outside your county": "bedriften {id} ligger utenfor fylket ditt",
    "change the flows of {id}": "endre strømmene til {id}",
    "add flows to {id}": "legge til strømmer for {id}",
    "change exchange {id}": "endre utvekslingen {id}",
    "run matching": "kjøre matching",
    "load demo data": "laste inn demodata",
    "plan for {scope}": "planlegge for {scope}",
    "set the proposals of {scope}": "fastsette forslagene for {scope}",
    "adopt a scenario for {scope}": "vedta et scenario for {scope}",
    "park {id} is outside your county": "industriområdet {id} ligger utenfor fylket ditt",
    "run the park planner": "kjøre områdeplanleggeren",
    "already exists: choose another id": "finnes allerede: velg en annen id",
    "must be 'value' or 'co2'": "må være «value» eller «co2»",
    "at most {n} characters": "høyst {n} tegn",
    "no such park": "industriområdet finnes ikke",
    "is not a number": "er ikke et tall",
    "must be between {low} and {high}": "må være mellom {low} og {high}",
    "must be at least {low}": "må være minst {low}",
    "start year must be a whole year, not '{text}'":
        "startåret må være et helt år, ikke «{text}»",
    "end year must be a whole year, not '{text}'": "sluttåret må være et helt år, ikke «{text}»",
    "'{name}' looks like an EWC code but is not in the List of Waste":
        "«{name}» ser ut som en EAL-kode, men står ikke i avfallslisten",
    # -- the indicators report download (report_html) ----------------------------------------
    "Symbioses (company pairs, agreed or operating)":
        "Symbioser (bedriftspar, avtalt eller i drift)",
    "CO2 avoided, realised (t/yr)": "CO2 unngått, realisert (t/år)",
    "CO2 avoided, proposals (t/yr)": "CO2 unngått, forslag (t/år)",
    "Companies taking part": "Bedrifter som deltar",
    "{share} of {companies}": "{share} av {companies}",
    "t CO2/yr": "t CO2/år",
    "CO2 avoided toward 2030": "Unngått CO2 fram mot 2030",
    "met": "nådd",
    "not yet": "ikke ennå",
    "net zero": "netto null",
    "baseline unknown": "utgangspunkt ukjent",
    "Figures shown as a range or as confidential are built from confidential flows: fewer "
    "than three companies or one company's 85 % or more are not shown, others as the "
    "visible part plus the order of magnitude of the confidential part.":
        "Tall vist som et intervall eller som fortrolig bygger på fortrolige strømmer: tall "
        "fra færre enn tre bedrifter, eller der én bedrift står for 85 % eller mer, vises "
        "ikke; andre vises som den synlige delen pluss størrelsesordenen av den fortrolige "
        "delen.",
    "Not quantified (amount or CO2 unknown, never counted as zero): {ids}":
        "Ikke tallfestet (mengde eller CO2 ukjent, aldri regnet som null): {ids}",
    "indicator": "indikator",
    "Counties: at least two symbioses by 2030": "Fylker: minst to symbioser innen 2030",
    "symbioses": "symbioser",
    "target": "mål",
    "status": "status",
    "Industrial parks: net zero": "Industriområder: netto null",
    "baseline t CO2e/yr": "utgangspunkt t CO2e/år",
    "avoided": "unngått",
    "residual": "gjenstående",
    "Industrial symbiosis indicators: {area}": "Indikatorer for industriell symbiose: {area}",
    "all areas": "alle områder",
    # -- end of the indicators report block ---------------------------------------------
}


def init_app(app: Flask) -> None:
    from . import words

    app.jinja_env.globals.update(_=gettext, resource_label=resource_label,
                                 current_language=current_language, LANGUAGES=LANGUAGES,
                                 figure=figure_words)
    words.init_app(app)


def current_language() -> str:
    if not has_request_context():
        return "en"
    asked = request.args.get("lang")
    if asked in LANGUAGES:  # the API's language parameter
        return str(asked)
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    best = request.accept_languages.best_match(["en", "nb", "no", "nn"], default="en")
    return "en" if best == "en" else "nb"


def gettext(text: str) -> str:
    return NB.get(text, text) if current_language() == "nb" else text


def figure_words(value: Figure | float | None, withheld: Figure | None = None,
                 fmt: str = "{:,.0f}") -> str:
    """A figure for the page: exact, its band, or "confidential" when withheld, written
    in the reader's language (``fmt`` gives the decimals, or a percentage). ``value`` is
    a number (with ``withheld`` when it is withheld) or a :class:`Figure`."""
    from .words import formatter

    write = formatter(fmt)
    if isinstance(value, Figure):
        return figure_text(value.value, None if value.shown else value, write,
                           confidential=gettext("confidential"))
    return figure_text(value, withheld, write, confidential=gettext("confidential"))


#: the no-break space that groups thousands in bokmål ("12 000"), so a number never breaks
NB_GROUP = "\u00a0"


def number_text(value: float, digits: int | None = None) -> str:
    """``value`` as the user's language writes numbers: "12,000.5" in English, "12 000,5"
    in bokmål (a no-break space between thousands, a decimal comma). ``digits``: decimals
    (default none from 100 up, one from 1, two below; trailing zeros left out).

    >>> number_text(12000), number_text(2.5), number_text(0.125)
    ('12,000', '2.5', '0.12')
    """
    if digits is None:
        size = abs(value)
        digits = 0 if size >= 100 else 1 if size >= 1 else 2
    text = f"{value:,.{digits}f}"
    if digits:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if current_language() == "nb":
        text = text.replace(",", NB_GROUP).replace(".", ",")
    return text


def resource_label(key: str) -> str:
    """The taxonomy's name of a resource in the current language."""
    return taxonomy().resource(key).label("no" if current_language() == "nb" else "en")


def reason_words() -> Callable[[Reason], str]:
    """Reason codes in words in the current language."""
    return renderer(taxonomy(), current_language())
