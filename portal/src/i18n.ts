// The portal's two languages: every string of the pages in one dictionary
// per language, the same keys in both (the type checker holds them to it).
// The language comes from ?lang= in the URL, else the one chosen in this
// tab (sessionStorage, never localStorage), else the browser's.
import { enChecker, frChecker } from "./i18n_checker";
import { enAuditor, frAuditor } from "./i18n_auditor";
import { enOperator, frOperator } from "./i18n_operator";
import { enSignedIn, frSignedIn } from "./i18n_signed_in";

const en = {
  "skip": "Skip to content",
  "brand.name": "hdhub",
  "brand.tagline": "Health data hub",
  "brand.home": "hdhub, home page",
  "nav.label": "Main",
  "nav.home": "Home",
  "nav.register": "Transparency register",
  "lang.switch": "Français",
  "lang.switch.label": "Lire en français",
  "home.title": "Secure access to health data for research",
  "home.lead":
    "hdhub keeps pseudonymised health data encrypted and lets authorised research projects query it inside their own workspace, for the time and the scope they were granted. Every access and every release of results is written to a signed, tamper-evident audit log, and the public register below lets anyone check what was authorised and what left the hub.",
  "home.card.title": "Public transparency register",
  "home.card.text": "Every authorised project, the data it uses, its window, and each release of results with its certificate.",
  "home.card.link": "Open the register",
  "home.facts.title": "How it works",
  "home.fact1.title": "Authorised projects only",
  "home.fact1.text": "A project sees only the tables and columns of its authorisation, approved by two operators.",
  "home.fact2.title": "Checked releases",
  "home.fact2.text": "Results leave through an airlock: statistical disclosure control and two independent checkers.",
  "home.fact3.title": "Verifiable log",
  "home.fact3.text": "Each release is bound to an entry of a signed, append-only audit log.",
  "register.title": "Public transparency register",
  "register.lead":
    "As the European Health Data Space regulation (Article 58) asks of health data access bodies, this register lists every project authorised to use data held by this hub, and every release of results, with the certificate and audit entry that let anyone verify it.",
  "register.search": "Search the register",
  "register.search.hint": "Authorisation reference, purpose, project or table",
  "register.count": "{shown} of {total} projects",
  "register.caption": "Authorised projects and their releases",
  "register.col.authorisation": "Authorisation",
  "register.col.purpose": "Purpose",
  "register.col.data": "Data used",
  "register.col.window": "Window",
  "register.col.state": "State",
  "register.col.releases": "Releases",
  "register.project": "Project {id}",
  "register.window": "{start} to {end}",
  "register.years": "Years of care {from}–{to}",
  "register.population": "Population: {what}",
  "register.population.sex": "sex {values}",
  "register.population.birth": "born {from}–{to}",
  "register.population.departments": "departments {values}",
  "register.allColumns": "all columns",
  "register.noRelease": "No release yet",
  "register.release": "Released on {date}",
  "register.output": "{name} ({kind}, {format}, {size})",
  "register.certificate": "Certificate",
  "register.certificate.full": "Certificate SHA-256: {sha}",
  "register.audit": "audit entry #{n}",
  "register.loading": "Loading the register…",
  "register.empty.title": "No project yet",
  "register.empty.text": "No project has been authorised on this hub yet. Authorised projects will appear here.",
  "register.nomatch": "No project matches “{q}”.",
  "register.error.title": "The register could not be loaded",
  "register.error.text": "The server did not answer as expected. Please try again in a few minutes.",
  "register.retry": "Try again",
  "register.json": "This register as JSON",
  "verify.button": "Verify",
  "verify.button.project": "Verify the authorisation {ref} of project {id} against the signed audit log",
  "verify.button.release": "Verify release {n} of project {id} against the signed audit log",
  "verify.unavailable": "Not verifiable: recorded before this hub kept register entries",
  "verify.checking": "Checking in your browser…",
  "verify.ok.title": "Verified",
  "verify.ok.project": "The authorisation of project {id} shown here is exactly the one the hub recorded in its signed audit log.",
  "verify.ok.release": "Release {n} of project {id} shown here is exactly the one the hub recorded in its signed audit log.",
  "verify.fail.title": "Refused",
  "verify.fail.text": "This line could not be verified: the check “{step}” failed. Do not rely on it, and tell the hub’s operators.",
  "verify.error.title": "Verification unavailable",
  "verify.error.text": "The proof could not be fetched from the server ({why}). Please try again.",
  "verify.step.content": "Content",
  "verify.step.content.text": "The line shown is, character for character, the one recorded: the SHA-256 of its fields is in the audit entry.",
  "verify.step.entry": "Audit entry",
  "verify.step.entry.text": "Audit entry #{n} was written by the hub itself, for this line, naming no one.",
  "verify.step.inclusion": "Inclusion",
  "verify.step.inclusion.text": "The entry is in the append-only audit log: its Merkle proof leads to the root of the signed checkpoint.",
  "verify.step.signature": "Signature",
  "verify.step.signature.text": "The checkpoint is signed by the hub’s log key (Ed25519).",
  "verify.status.passed": "passed",
  "verify.status.failed": "failed",
  "verify.status.skipped": "not checked",
  "verify.fact.key": "Log key",
  "verify.fact.keyValue": "{name}, key id {id}",
  "verify.fact.fingerprint": "Key fingerprint (SHA-256)",
  "verify.fact.checkpoint": "Signed checkpoint",
  "verify.fact.checkpointValue": "{size} entries",
  "verify.fact.recorded": "Recorded",
  "verify.how": "Checked in this browser with WebCrypto from the proof the hub publishes. Compare the key fingerprint with the one the hub publishes elsewhere.",
  "verify.details": "Technical details",
  "verify.close": "Close",
  "state.approved": "Approved",
  "state.closed": "Closed",
  "state.expired": "Expired",
  "footer.text": "hdhub — a health data hub for research. Public information, no personal data.",
  "footer.api": "Public API",
  "notfound.title": "Page not found",
  "notfound.text": "This page does not exist.",
  "notfound.link": "Back to the home page",
  // The signed-in pages' strings (i18n_signed_in.ts).
  ...enSignedIn,
  ...enAuditor,
  ...enChecker,
  ...enOperator,
};

type Key = keyof typeof en;

const fr: Record<Key, string> = {
  "skip": "Aller au contenu",
  "brand.name": "hdhub",
  "brand.tagline": "Plateforme de données de santé",
  "brand.home": "hdhub, page d’accueil",
  "nav.label": "Principal",
  "nav.home": "Accueil",
  "nav.register": "Registre de transparence",
  "lang.switch": "English",
  "lang.switch.label": "Read in English",
  "home.title": "Un accès sécurisé aux données de santé pour la recherche",
  "home.lead":
    "hdhub conserve chiffrées des données de santé pseudonymisées et permet aux projets de recherche autorisés de les interroger dans leur propre espace de travail, pour la durée et le périmètre qui leur ont été accordés. Chaque accès et chaque sortie de résultats est inscrit dans un journal d’audit signé et infalsifiable, et le registre public ci-dessous permet à chacun de vérifier ce qui a été autorisé et ce qui est sorti de la plateforme.",
  "home.card.title": "Registre public de transparence",
  "home.card.text": "Chaque projet autorisé, les données qu’il utilise, sa période, et chaque sortie de résultats avec son certificat.",
  "home.card.link": "Consulter le registre",
  "home.facts.title": "Fonctionnement",
  "home.fact1.title": "Projets autorisés uniquement",
  "home.fact1.text": "Un projet ne voit que les tables et colonnes de son autorisation, approuvée par deux opérateurs.",
  "home.fact2.title": "Sorties contrôlées",
  "home.fact2.text": "Les résultats sortent par un sas : contrôle du secret statistique et deux vérificateurs indépendants.",
  "home.fact3.title": "Journal vérifiable",
  "home.fact3.text": "Chaque sortie est liée à une entrée d’un journal d’audit signé, en ajout seul.",
  "register.title": "Registre public de transparence",
  "register.lead":
    "Comme le règlement sur l’espace européen des données de santé (article 58) le demande aux organismes responsables de l’accès aux données de santé, ce registre liste chaque projet autorisé à utiliser des données de cette plateforme et chaque sortie de résultats, avec le certificat et l’entrée du journal d’audit qui permettent à chacun de la vérifier.",
  "register.search": "Rechercher dans le registre",
  "register.search.hint": "Référence d’autorisation, finalité, projet ou table",
  "register.count": "{shown} projets sur {total}",
  "register.caption": "Projets autorisés et leurs sorties",
  "register.col.authorisation": "Autorisation",
  "register.col.purpose": "Finalité",
  "register.col.data": "Données utilisées",
  "register.col.window": "Période",
  "register.col.state": "État",
  "register.col.releases": "Sorties",
  "register.project": "Projet {id}",
  "register.window": "du {start} au {end}",
  "register.years": "Années de soins {from}–{to}",
  "register.population": "Population : {what}",
  "register.population.sex": "sexe {values}",
  "register.population.birth": "nés en {from}–{to}",
  "register.population.departments": "départements {values}",
  "register.allColumns": "toutes les colonnes",
  "register.noRelease": "Aucune sortie pour l’instant",
  "register.release": "Sortie du {date}",
  "register.output": "{name} ({kind}, {format}, {size})",
  "register.certificate": "Certificat",
  "register.certificate.full": "Certificat SHA-256 : {sha}",
  "register.audit": "entrée d’audit nº {n}",
  "register.loading": "Chargement du registre…",
  "register.empty.title": "Aucun projet pour l’instant",
  "register.empty.text": "Aucun projet n’a encore été autorisé sur cette plateforme. Les projets autorisés apparaîtront ici.",
  "register.nomatch": "Aucun projet ne correspond à « {q} ».",
  "register.error.title": "Le registre n’a pas pu être chargé",
  "register.error.text": "Le serveur n’a pas répondu comme prévu. Veuillez réessayer dans quelques minutes.",
  "register.retry": "Réessayer",
  "register.json": "Ce registre en JSON",
  "verify.button": "Vérifier",
  "verify.button.project": "Vérifier l’autorisation {ref} du projet {id} dans le journal d’audit signé",
  "verify.button.release": "Vérifier la sortie {n} du projet {id} dans le journal d’audit signé",
  "verify.unavailable": "Non vérifiable : enregistré avant que ce hub ne tienne des entrées de registre",
  "verify.checking": "Vérification dans votre navigateur…",
  "verify.ok.title": "Vérifié",
  "verify.ok.project": "L’autorisation du projet {id} affichée ici est exactement celle que le hub a inscrite dans son journal d’audit signé.",
  "verify.ok.release": "La sortie {n} du projet {id} affichée ici est exactement celle que le hub a inscrite dans son journal d’audit signé.",
  "verify.fail.title": "Refusé",
  "verify.fail.text": "Cette ligne n’a pas pu être vérifiée : le contrôle « {step} » a échoué. Ne vous y fiez pas et prévenez les opérateurs du hub.",
  "verify.error.title": "Vérification indisponible",
  "verify.error.text": "La preuve n’a pas pu être obtenue du serveur ({why}). Veuillez réessayer.",
  "verify.step.content": "Contenu",
  "verify.step.content.text": "La ligne affichée est, caractère pour caractère, celle qui a été inscrite : le SHA-256 de ses champs figure dans l’entrée d’audit.",
  "verify.step.entry": "Entrée d’audit",
  "verify.step.entry.text": "L’entrée d’audit nº {n} a été écrite par le hub lui-même, pour cette ligne, sans nommer personne.",
  "verify.step.inclusion": "Inclusion",
  "verify.step.inclusion.text": "L’entrée figure dans le journal d’audit en ajout seul : sa preuve de Merkle mène à la racine du point de contrôle signé.",
  "verify.step.signature": "Signature",
  "verify.step.signature.text": "Le point de contrôle est signé par la clé du journal du hub (Ed25519).",
  "verify.status.passed": "réussi",
  "verify.status.failed": "échoué",
  "verify.status.skipped": "non contrôlé",
  "verify.fact.key": "Clé du journal",
  "verify.fact.keyValue": "{name}, identifiant {id}",
  "verify.fact.fingerprint": "Empreinte de la clé (SHA-256)",
  "verify.fact.checkpoint": "Point de contrôle signé",
  "verify.fact.checkpointValue": "{size} entrées",
  "verify.fact.recorded": "Inscrit le",
  "verify.how": "Vérifié dans ce navigateur avec WebCrypto à partir de la preuve que publie le hub. Comparez l’empreinte de la clé avec celle que le hub publie par ailleurs.",
  "verify.details": "Détails techniques",
  "verify.close": "Fermer",
  "state.approved": "Autorisé",
  "state.closed": "Clos",
  "state.expired": "Expiré",
  "footer.text": "hdhub — plateforme de données de santé pour la recherche. Information publique, sans donnée personnelle.",
  "footer.api": "API publique",
  "notfound.title": "Page introuvable",
  "notfound.text": "Cette page n’existe pas.",
  "notfound.link": "Retour à l’accueil",
  ...frSignedIn,
  ...frAuditor,
  ...frChecker,
  ...frOperator,
};

export type Lang = "en" | "fr";
export type { Key };

const dictionaries: Record<Lang, Record<Key, string>> = { en, fr };
const kStorageKey = "hdhub.lang";

function isLang(value: string | null): value is Lang {
  return value === "en" || value === "fr";
}

// The language of this page: ?lang=, else this tab's choice, else the browser's.
export function initialLang(): Lang {
  const fromUrl = new URLSearchParams(window.location.search).get("lang");
  if (isLang(fromUrl)) return fromUrl;
  let stored: string | null = null;
  try {
    stored = window.sessionStorage.getItem(kStorageKey);
  } catch {
    stored = null;  // storage refused (private mode): the browser's language
  }
  if (isLang(stored)) return stored;
  return (navigator.language || "en").toLowerCase().startsWith("fr") ? "fr" : "en";
}

export function rememberLang(lang: Lang): void {
  try {
    window.sessionStorage.setItem(kStorageKey, lang);
  } catch {
    // Not kept beyond this page: the URL still carries it.
  }
}

// The string `key` in `lang`, each {name} replaced by vars[name].
export function translate(lang: Lang, key: Key, vars: Record<string, string | number> = {}): string {
  return dictionaries[lang][key].replace(/\{(\w+)\}/g, (_, name: string) =>
    name in vars ? String(vars[name]) : `{${name}}`,
  );
}
