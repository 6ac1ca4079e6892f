/**
 * Name tables the sandbox seed draws from: given names and family names per country (Chinese
 * and Japanese in their own script with a romanization for e-mail addresses), job titles in the
 * language a record would carry, company names and lead subjects. Companies are fictional
 * (many are Microsoft's own sample names); their domains use the reserved `.example` TLD
 * (RFC 2606), so no seed address can reach anyone.
 */
import type { Country } from './seed-phones.ts';

const words = (text: string): string[] => text.trim().split(/\s+/);
/** "王:wang 李:li" → [["王","wang"], ["李","li"]]. */
const romanized = (text: string): [string, string][] => words(text).map((pair) => pair.split(':') as [string, string]);

export const GIVEN_NAMES: Record<Exclude<Country, 'CN' | 'JP'>, string[]> = {
  US: words(`James Mary Michael Patricia Robert Jennifer David Linda William Elizabeth Maria Daniel Emily Christopher
    Ashley Matthew Jessica Anthony Sarah Kevin Michelle Brian Amanda Jose Stephanie Tyler Megan Marcus Rachel`),
  GB: words(`Oliver George Harry Jack Charlie Thomas Olivia Amelia Isla Ava Emily Sophie Grace Lily Freya James
    William Noah Poppy Charlotte Rhys Siobhan Callum Imogen Priya`),
  DE: words(`Lukas Leon Finn Jonas Paul Felix Maximilian Elias Anna Lena Lea Hannah Sophie Marie Laura Julia
    Katharina Stefan Thomas Andreas Jürgen Sabine Petra Ursula Michael Jörg Björn Uwe Anke Dirk`),
  FR: words(`Camille Léa Manon Chloé Emma Inès Jade Louise Hugo Lucas Louis Gabriel Arthur Jules Nathan Théo
    Mathilde Élodie François Stéphane Sébastien Hélène Amélie Jérôme Aurélie Benoît`),
  IN: words(`Aarav Vivaan Aditya Arjun Sai Rohan Priya Ananya Diya Aditi Kavya Lakshmi Rahul Amit Sunita Deepak
    Neha Pooja Vikram Sanjay Meera Karthik Ravi Anjali Siddharth Divya`),
  BR: words(`João Maria Ana Pedro Lucas Gabriel Mateus Rafael Júlia Beatriz Larissa Camila Fernanda Letícia Thiago
    Bruno Felipe Rodrigo Mariana Gustavo Vinícius Luíza Carolina Leonardo Gisele Otávio`),
};

export const FAMILY_NAMES: Record<Exclude<Country, 'CN' | 'JP'>, string[]> = {
  US: words(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
    Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis
    Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson O'Connor Kowalski`),
  GB: words(`Smith Jones Williams Taylor Davies Evans Thomas Roberts Johnson Walker Wright Robinson Thompson White
    Hughes Edwards Green Hall Wood Harris Clarke Patel Khan Jackson Turner Hill Cooper Ward Morris Ahmed O'Neill
    MacDonald Campbell`),
  DE: words(`Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter
    Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Weiß Köhler Groß Yılmaz`),
  FR: words(`Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre Michel
    Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert Bonnet François Faure`),
  IN: words(`Sharma Verma Gupta Singh Kumar Patel Iyer Reddy Nair Menon Rao Das Chatterjee Banerjee Mukherjee Joshi
    Desai Mehta Shah Kapoor Malhotra Pillai Krishnan Agarwal`),
  BR: words(`Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins Carvalho
    Almeida Lopes Soares Fernandes Vieira Barbosa Rocha Dias Nascimento Araújo Moreira Cardoso Conceição`),
};

/** Chinese family and given names with pinyin. */
export const CHINESE_FAMILY = romanized(`王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 黄:huang 赵:zhao 吴:wu 周:zhou
  徐:xu 孙:sun 马:ma 朱:zhu 胡:hu 郭:guo 何:he 高:gao 林:lin 罗:luo 郑:zheng 梁:liang 谢:xie 宋:song 唐:tang 韩:han`);
export const CHINESE_GIVEN = romanized(`伟:wei 芳:fang 娜:na 秀英:xiuying 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun
  洋:yang 勇:yong 艳:yan 杰:jie 娟:juan 涛:tao 明:ming 超:chao 霞:xia 平:ping 刚:gang 建华:jianhua 晓明:xiaoming
  思远:siyuan 雨涵:yuhan 子轩:zixuan 欣怡:xinyi 浩然:haoran 梓涵:zihan 嘉怡:jiayi`);
/** English names Chinese colleagues often use at work ("Kevin Zhang"). */
export const CHINESE_ENGLISH_NAMES = words('Kevin Grace Jason Vivian Eric Cindy Frank Helen Leo Amy Tony Iris');

/** Japanese family and given names with romaji. */
export const JAPANESE_FAMILY = romanized(`佐藤:sato 鈴木:suzuki 高橋:takahashi 田中:tanaka 伊藤:ito 渡辺:watanabe
  山本:yamamoto 中村:nakamura 小林:kobayashi 加藤:kato 吉田:yoshida 山田:yamada 佐々木:sasaki 山口:yamaguchi
  松本:matsumoto 井上:inoue 木村:kimura 林:hayashi 清水:shimizu 斎藤:saito`);
export const JAPANESE_GIVEN = romanized(`翔太:shota 大輔:daisuke 健太:kenta 拓也:takuya 陽菜:hina 結衣:yui 美咲:misaki
  さくら:sakura 花子:hanako 太郎:taro 直樹:naoki 由美:yumi 恵子:keiko 蓮:ren 悠真:yuma 葵:aoi 陽翔:haruto 美穂:miho`);

/** Job titles by the language a record is kept in. */
export const JOB_TITLES = {
  en: words(`Purchasing_Manager Head_of_Customer_Service IT_Director Office_Manager Sales_Director CFO
    Operations_Manager Procurement_Specialist Contact_Center_Manager Telecoms_Engineer Managing_Director
    Facilities_Manager Account_Executive VP_Operations IT_Administrator Finance_Controller Receptionist
    Head_of_IT Customer_Success_Lead Project_Manager`).map((t) => t.replace(/_/g, ' ')),
  de: words('Einkauf Geschäftsführung IT-Leitung Teamleitung_Kundenservice Vertriebsleitung Büroleitung Buchhaltung').map((t) => t.replace(/_/g, ' ')),
  fr: words('Direction_commerciale Responsable_achats DSI Direction_générale Chef_de_projet Responsable_service_client').map((t) => t.replace(/_/g, ' ')),
  pt: words('Gerente_de_compras Gerente_comercial Coordenação_de_TI Analista_de_suprimentos Gerente_de_atendimento').map((t) => t.replace(/_/g, ' ')),
  zh: words('采购经理 总经理 IT主管 客服经理 销售总监 财务总监 行政主管'),
  ja: words('営業部長 購買課長 情報システム部長 代表取締役 カスタマーサポート主任 総務部長'),
};

export interface CompanyName {
  name: string;
  country: Country;
  city: string;
  domain: string;
}

const company = (name: string, country: Country, city: string, domain: string): CompanyName => ({ name, country, city, domain });

/** The seed's 50 accounts. The first twelve keep the ids and names earlier seeds gave them. */
export const COMPANIES: readonly CompanyName[] = [
  company('Contoso Ltd', 'US', 'San Francisco', 'contoso.example'),
  company('Fabrikam Inc', 'US', 'New York', 'fabrikam.example'),
  company('Northwind Traders', 'GB', 'London', 'northwind.example'),
  company('Adventure Works', 'GB', 'Manchester', 'adventure-works.example'),
  company('Tailspin Toys GmbH', 'DE', 'Berlin', 'tailspin.example'),
  company('Wingtip Toys SARL', 'FR', 'Paris', 'wingtip.example'),
  company('北京云海科技有限公司', 'CN', '北京', 'yunhai.example'),
  company('Litware India Pvt Ltd', 'IN', 'Mumbai', 'litware.example'),
  company('Coho Vineyard Ltda', 'BR', 'São Paulo', 'coho.example'),
  company('Proseware KK', 'JP', '東京', 'proseware.example'),
  company('Woodgrove Bank', 'US', 'Seattle', 'woodgrove.example'),
  company('Alpine Ski House', 'DE', 'München', 'alpineskihouse.example'),
  company('Fourth Coffee', 'US', 'Seattle', 'fourthcoffee.example'),
  company('Wide World Importers', 'US', 'Chicago', 'wideworld.example'),
  company('Trey Research', 'US', 'Boston', 'treyresearch.example'),
  company('Lucerne Publishing', 'US', 'New York', 'lucernepublishing.example'),
  company('Humongous Insurance', 'US', 'Hartford', 'humongous.example'),
  company('City Power & Light', 'US', 'Dallas', 'cpandl.example'),
  company('Blue Yonder Airlines', 'US', 'Chicago', 'blueyonder.example'),
  company("Margie's Travel", 'GB', 'Edinburgh', 'margiestravel.example'),
  company('Consolidated Messenger', 'GB', 'Birmingham', 'consolidatedmessenger.example'),
  company('Southridge Video', 'GB', 'Leeds', 'southridgevideo.example'),
  company('Graphic Design Institute', 'GB', 'Bristol', 'graphicdesigninstitute.example'),
  company('Relecloud UK Ltd', 'GB', 'London', 'relecloud.example'),
  company('Elbufer Logistik GmbH', 'DE', 'Hamburg', 'elbufer-logistik.example'),
  company('Mainblick Versicherung AG', 'DE', 'Frankfurt am Main', 'mainblick.example'),
  company('Spreewerk Software GmbH', 'DE', 'Berlin', 'spreewerk.example'),
  company('Feinkost Schmitz KG', 'DE', 'Köln', 'feinkost-schmitz.example'),
  company('Neckartal Medizintechnik GmbH', 'DE', 'Stuttgart', 'neckartal-medtech.example'),
  company('Atelier Lumière SAS', 'FR', 'Paris', 'atelier-lumiere.example'),
  company('Boulangerie Vauclair SARL', 'FR', 'Lyon', 'vauclair.example'),
  company('Transports Garonne SA', 'FR', 'Bordeaux', 'transports-garonne.example'),
  company('Cabinet Morel & Associés', 'FR', 'Lille', 'cabinet-morel.example'),
  company('Provence Bio Distribution', 'FR', 'Marseille', 'provence-bio.example'),
  company('上海明远贸易有限公司', 'CN', '上海', 'mingyuan-trade.example'),
  company('深圳华信电子有限公司', 'CN', '深圳', 'huaxin-elec.example'),
  company('杭州青禾网络科技有限公司', 'CN', '杭州', 'qinghe-tech.example'),
  company('广州南方物流有限公司', 'CN', '广州', 'nanfang-logistics.example'),
  company('成都天府软件有限公司', 'CN', '成都', 'tianfu-soft.example'),
  company('Suzhou Lakeview Precision Co., Ltd.', 'CN', '苏州', 'lakeview-precision.example'),
  company('Sahyadri Infotech Pvt Ltd', 'IN', 'Pune', 'sahyadri-infotech.example'),
  company('Ganga Textiles Ltd', 'IN', 'New Delhi', 'gangatextiles.example'),
  company('Deccan Pharma Pvt Ltd', 'IN', 'Hyderabad', 'deccanpharma.example'),
  company('Coromandel Logistics', 'IN', 'Chennai', 'coromandel-logistics.example'),
  company('Serra Azul Alimentos Ltda', 'BR', 'Belo Horizonte', 'serra-azul.example'),
  company('Maré Alta Sistemas S.A.', 'BR', 'Recife', 'mare-alta.example'),
  company('Construtora Ipê Ltda', 'BR', 'Curitiba', 'construtora-ipe.example'),
  company('株式会社みなと物流', 'JP', '横浜', 'minato-logi.example'),
  company('浪速テクノ株式会社', 'JP', '大阪', 'naniwa-techno.example'),
  company('株式会社ひかり精工', 'JP', '名古屋', 'hikari-seiko.example'),
];

/** Companies leads come from (prospects, not yet accounts). */
export const PROSPECTS: readonly CompanyName[] = [
  company('Bellows College', 'US', 'Boston', 'bellowscollege.example'),
  company('Best For You Organics', 'US', 'Seattle', 'bestforyouorganics.example'),
  company('VanArsdel Ltd', 'US', 'Dallas', 'vanarsdel.example'),
  company('Nod Publishers', 'US', 'New York', 'nodpublishers.example'),
  company('Munson Farm Preserves', 'US', 'Chicago', 'munsonfarm.example'),
  company('Thames Valley Dental', 'GB', 'London', 'tvdental.example'),
  company('Pennine Outdoor Ltd', 'GB', 'Leeds', 'pennine-outdoor.example'),
  company('Clyde Marine Services', 'GB', 'Edinburgh', 'clydemarine.example'),
  company('Havelblick Immobilien GmbH', 'DE', 'Berlin', 'havelblick.example'),
  company('Bäckerei Sonnenkorn', 'DE', 'München', 'sonnenkorn.example'),
  company('Hanse Kontor AG', 'DE', 'Hamburg', 'hanse-kontor.example'),
  company('Clinique Saint-Roch', 'FR', 'Lyon', 'clinique-saintroch.example'),
  company('Éditions du Quai', 'FR', 'Paris', 'editions-du-quai.example'),
  company('Nantes Habitat Conseil', 'FR', 'Nantes', 'nantes-habitat.example'),
  company('上海星辰教育科技有限公司', 'CN', '上海', 'xingchen-edu.example'),
  company('北京华夏医疗器械有限公司', 'CN', '北京', 'huaxia-medical.example'),
  company('深圳极光互动科技有限公司', 'CN', '深圳', 'jiguang-interactive.example'),
  company('Kaveri Hospitals', 'IN', 'Bengaluru', 'kaverihospitals.example'),
  company('Marine Drive Realty', 'IN', 'Mumbai', 'marinedriverealty.example'),
  company('Clínica Bem Estar', 'BR', 'Rio de Janeiro', 'bemestar.example'),
  company('Pampa Agro Ltda', 'BR', 'Porto Alegre', 'pampa-agro.example'),
  company('株式会社さくら不動産', 'JP', '東京', 'sakura-fudosan.example'),
  company('博多グリーン物産', 'JP', '福岡', 'hakata-green.example'),
];

/** Lead subjects by language. */
export const LEAD_SUBJECTS = {
  en: [
    'Interested in {n} seats',
    'Pricing for a {n}-agent contact center',
    'Demo request from the website',
    'Replacing our old PBX',
    'Click-to-call from Dynamics 365',
    'Call recording and compliance question',
    'Trade show follow-up',
  ],
  de: ['Anfrage Telefonanlage für {n} Arbeitsplätze', 'Rückrufbitte wegen Angebot', 'Messekontakt – bitte um Rückruf'],
  fr: ['Demande de devis pour {n} postes', 'Démonstration souhaitée', 'Remplacement du standard téléphonique'],
  pt: ['Cotação para {n} ramais', 'Solicitação de demonstração', 'Integração com o Dynamics 365'],
  zh: ['咨询{n}个坐席的呼叫中心方案', '官网留言：申请演示', '电话系统升级询价'],
  ja: ['{n}席のコールセンター導入相談', 'デモのご依頼', '電話システム更改の見積依頼'],
};
