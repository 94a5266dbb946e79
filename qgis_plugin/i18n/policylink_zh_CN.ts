<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>PolicyLink</name>
    <message>
      <source>Choose a saved PostgreSQL connection or give the database URL.</source>
      <translation>请选择已保存的 PostgreSQL 连接，或填写数据库 URL。</translation>
    </message>
    <message>
      <source>Not a PostgreSQL URL: '{url}'; expected postgresql://user@host:port/dbname.</source>
      <translation>不是 PostgreSQL URL：'{url}'；应为 postgresql://用户@主机:端口/数据库名。</translation>
    </message>
    <message>
      <source>No saved PostgreSQL connection is named '{name}'; saved: {names}.</source>
      <translation>没有名为 '{name}' 的已保存 PostgreSQL 连接；已保存的连接：{names}。</translation>
    </message>
    <message>
      <source>{n} unit(s) have neighbours: local statistics need at least 3 (choose other weights, e.g. knn:K)</source>
      <translation>只有 {n} 个单元有邻居：局部统计量至少需要 3 个（请换用其他权重，例如 knn:K）</translation>
    </message>
    <message>
      <source>the variable is constant in {year}: local statistics are undefined</source>
      <translation>该变量在 {year} 年为常数：局部统计量无定义</translation>
    </message>
    <message>
      <source>the variable is constant: local statistics are undefined</source>
      <translation>该变量为常数：局部统计量无定义</translation>
    </message>
    <message>
      <source>permutations {n}: local statistics need permutations for their p-values; give at least 99 (default 999)</source>
      <translation>置换次数 {n}：局部统计量的 p 值来自置换检验；请至少设为 99（默认 999）</translation>
    </message>
    <message>
      <source>{variable} is constant (or varies only by rounding): Moran's I is undefined (zero variance), no p-value is reported</source>
      <translation>{variable} 为常数（或仅有舍入误差）：莫兰指数无定义（方差为零），不报告 p 值</translation>
    </message>
    <message>
      <source>no unit has a neighbour in these weights: Moran's I is undefined</source>
      <translation>在此权重下没有任何单元有邻居：莫兰指数无定义</translation>
    </message>
    <message>
      <source>{n} unit(s): a global Moran test needs at least {minimum} units</source>
      <translation>只有 {n} 个单元：全局莫兰检验至少需要 {minimum} 个单元</translation>
    </message>
    <message>
      <source>missing value for unit {unit} in {year}</source>
      <translation>单元 {unit} 在 {year} 年缺少数值</translation>
    </message>
    <message>
      <source>missing value for unit {unit}</source>
      <translation>单元 {unit} 缺少数值</translation>
    </message>
    <message>
      <source>field not found (fields: {fields})</source>
      <translation>找不到该字段（现有字段：{fields}）</translation>
    </message>
    <message>
      <source>the layer has no features</source>
      <translation>该图层没有要素</translation>
    </message>
    <message>
      <source>id field not found in the layer</source>
      <translation>图层中找不到标识字段</translation>
    </message>
    <message>
      <source>duplicate unit id</source>
      <translation>单元标识重复</translation>
    </message>
    <message>
      <source>empty geometry</source>
      <translation>几何为空</translation>
    </message>
    <message>
      <source>{kind} contiguity needs polygons; for points choose knn:K or distance:METRES weights</source>
      <translation>{kind} 邻接需要面要素；点要素请选择 knn:K 或 distance:米数 权重</translation>
    </message>
    <message>
      <source>the layer has no coordinate reference system: distances in metres cannot be known; set its CRS (e.g. EPSG:4326) and try again</source>
      <translation>该图层没有坐标参考系：无法得知以米计的距离；请设置其坐标参考系（例如 EPSG:4326）后重试</translation>
    </message>
    <message>
      <source>the layer's CRS is {crs} (degrees), but its coordinates span {span}, which are not longitudes (-180 to 180) and latitudes (-90 to 90): metres in a degrees CRS? set the layer's true CRS</source>
      <translation>图层的坐标参考系为 {crs}（以度为单位），但其坐标范围为 {span}，不是经度（-180 至 180）和纬度（-90 至 90）：是否把米制坐标放在了度制坐标参考系中？请设置图层真实的坐标参考系</translation>
    </message>
    <message>
      <source>the layer's CRS is {crs}, but its coordinates reprojected to WGS 84 span {span}, outside the globe: the CRS does not match the coordinates; set the layer's true CRS</source>
      <translation>图层的坐标参考系为 {crs}，但其坐标投影到 WGS 84 后范围为 {span}，超出地球范围：坐标参考系与坐标不符；请设置图层真实的坐标参考系</translation>
    </message>
    <message>
      <source>a year is required with a panel</source>
      <translation>面板数据需要指定年份</translation>
    </message>
    <message>
      <source>a spatial panel model needs a panel (a period column)</source>
      <translation>空间面板模型需要面板数据（时期字段）</translation>
    </message>
    <message>
      <source>the panel has {n} year(s): a DID needs at least two years (before and after adoption) with year fixed effects</source>
      <translation>面板只有 {n} 年：含年份固定效应的双重差分至少需要两年（政策实施前后）</translation>
    </message>
    <message>
      <source>the panel has {n} unit(s): a DID needs at least two units</source>
      <translation>面板只有 {n} 个单元：双重差分至少需要两个单元</translation>
    </message>
    <message>
      <source>fewer than two units are observed in two or more years: unit fixed effects leave nothing to estimate (give each unit several years)</source>
      <translation>在两年或以上被观测的单元少于两个：去除单元固定效应后无可估计（请为每个单元提供多年数据）</translation>
    </message>
    <message>
      <source>the outcome does not vary once unit and year fixed effects are removed: there is nothing to explain</source>
      <translation>去除单元和年份固定效应后结果变量不再变化：没有可解释的变异</translation>
    </message>
    <message>
      <source>the treatment does not vary once unit and year fixed effects are removed (no unit treated within the panel years, every unit treated throughout, or all units adopting in the same year): its effect cannot be estimated</source>
      <translation>去除单元和年份固定效应后处理变量不再变化（面板年份内没有单元受处理、所有单元始终受处理，或所有单元在同一年采纳）：无法估计其效应</translation>
    </message>
    <message>
      <source>the regression fits the outcome exactly (standard error 0.0): no inference is possible; give more units or years</source>
      <translation>回归恰好完全拟合结果变量（标准误为 0.0）：无法进行统计推断；请提供更多单元或年份</translation>
    </message>
    <message>
      <source>no group-time ATT after adoption could be estimated: each cohort needs comparison units (never or not yet treated) in its base year and later years, more of them than covariates</source>
      <translation>无法估计任何采纳后的组-时期 ATT：每个队列在其基期及之后的年份都需要对照单元（从未或尚未受处理），且数量多于协变量个数</translation>
    </message>
    <message>
      <source>the share of treated neighbours does not vary once unit and year fixed effects are removed (no unit treated within the panel years, every unit treated throughout, or all units adopting in the same year): its effect cannot be estimated</source>
      <translation>去除单元和年份固定效应后受处理邻居的比例不再变化（面板年份内没有单元受处理、所有单元始终受处理，或所有单元在同一年采纳）：无法估计其效应</translation>
    </message>
    <message>
      <source>{n} problem(s) found; nothing was written:</source>
      <translation>发现 {n} 个问题；未写入任何内容：</translation>
    </message>
    <message>
      <source>row {row}</source>
      <translation>第 {row} 行</translation>
    </message>
    <message>
      <source>column {column}</source>
      <translation>字段 {column}</translation>
    </message>
    <message>
      <source>(value {value})</source>
      <translation>（值 {value}）</translation>
    </message>
    <message>
      <source>... and {n} more</source>
      <translation>……另有 {n} 个</translation>
    </message>
    <message>
      <source>Legend</source>
      <translation>图例</translation>
    </message>
    <message>
      <source>South China Sea islands</source>
      <translation>南海诸岛</translation>
    </message>
    <message>
      <source>map units (no CRS)</source>
      <translation>地图单位（无坐标参考系）</translation>
    </message>
    <message>
      <source>High-High</source>
      <translation>高-高</translation>
    </message>
    <message>
      <source>Low-Low</source>
      <translation>低-低</translation>
    </message>
    <message>
      <source>Low-High</source>
      <translation>低-高</translation>
    </message>
    <message>
      <source>High-Low</source>
      <translation>高-低</translation>
    </message>
    <message>
      <source>Not significant</source>
      <translation>不显著</translation>
    </message>
    <message>
      <source>Hot spot</source>
      <translation>热点</translation>
    </message>
    <message>
      <source>Cold spot</source>
      <translation>冷点</translation>
    </message>
    <message>
      <source>Before 2008</source>
      <translation>2008年以前</translation>
    </message>
    <message>
      <source>2008-2014</source>
      <translation>2008—2014年</translation>
    </message>
    <message>
      <source>2014-2016</source>
      <translation>2014—2016年</translation>
    </message>
    <message>
      <source>After 2016</source>
      <translation>2016年以后</translation>
    </message>
    <message>
      <source>No policy</source>
      <translation>无相关政策</translation>
    </message>
    <message>
      <source>Batch 1 (2010)</source>
      <translation>第一批（2010年）</translation>
    </message>
    <message>
      <source>Batch 2 (2012)</source>
      <translation>第二批（2012年）</translation>
    </message>
    <message>
      <source>Batch 3 (2017)</source>
      <translation>第三批（2017年）</translation>
    </message>
    <message>
      <source>Coordination agreement</source>
      <translation>协同合作协议</translation>
    </message>
    <message>
      <source>Industrial transfer</source>
      <translation>产业转移</translation>
    </message>
    <message>
      <source>Co-construction</source>
      <translation>共建园区</translation>
    </message>
    <message>
      <source>Division of labour</source>
      <translation>产业分工</translation>
    </message>
    <message>
      <source>Innovation cooperation</source>
      <translation>创新合作</translation>
    </message>
    <message>
      <source>Other</source>
      <translation>其他</translation>
    </message>
    <message>
      <source>Not a pilot</source>
      <translation>非试点</translation>
    </message>
    <message>
      <source>0-1 years</source>
      <translation>0—1年</translation>
    </message>
    <message>
      <source>2-3 years</source>
      <translation>2—3年</translation>
    </message>
    <message>
      <source>4+ years</source>
      <translation>4年及以上</translation>
    </message>
    <message>
      <source>Below 0.8 (lower hazard)</source>
      <translation>低于 0.8（风险较低）</translation>
    </message>
    <message>
      <source>0.8-1.25 (about the same)</source>
      <translation>0.8—1.25（大致相同）</translation>
    </message>
    <message>
      <source>1.25-2</source>
      <translation>1.25—2</translation>
    </message>
    <message>
      <source>2-4</source>
      <translation>2—4</translation>
    </message>
    <message>
      <source>4 and more</source>
      <translation>4 及以上</translation>
    </message>
    <message>
      <source>No synthetic variable: checked against the PolicyLink database catalogue.</source>
      <translation>不含合成变量：已对照 PolicyLink 数据库变量目录核查。</translation>
    </message>
    <message>
      <source>Synthetic status unknown: the inputs are layers that do not come from the PolicyLink database, so no catalogue flag could be checked.</source>
      <translation>是否为合成数据未知：输入图层并非来自 PolicyLink 数据库，无法核查变量目录中的合成标记。</translation>
    </message>
    <message>
      <source>SYNTHETIC data: built from the synthetic variable(s) {v}; not real observations.</source>
      <translation>合成数据（SYNTHETIC）：由合成变量 {v} 生成，并非真实观测。</translation>
    </message>
    <message>
      <source>Policy diffusion</source>
      <translation>政策扩散</translation>
    </message>
    <message>
      <source>Data</source>
      <translation>数据</translation>
    </message>
    <message>
      <source>PolicyLink database</source>
      <translation>PolicyLink 数据库</translation>
    </message>
    <message>
      <source>Layer of this project</source>
      <translation>本项目中的图层</translation>
    </message>
    <message>
      <source>Connection</source>
      <translation>连接</translation>
    </message>
    <message>
      <source>Database URL</source>
      <translation>数据库 URL</translation>
    </message>
    <message>
      <source>Level</source>
      <translation>行政级别</translation>
    </message>
    <message>
      <source>Within (codes)</source>
      <translation>范围（行政区划代码）</translation>
    </message>
    <message>
      <source>Load</source>
      <translation>读取</translation>
    </message>
    <message>
      <source>Variable</source>
      <translation>变量</translation>
    </message>
    <message>
      <source>Years</source>
      <translation>年份</translation>
    </message>
    <message>
      <source>Layer</source>
      <translation>图层</translation>
    </message>
    <message>
      <source>Id field</source>
      <translation>编号字段</translation>
    </message>
    <message>
      <source>Value field</source>
      <translation>数值字段</translation>
    </message>
    <message>
      <source>Weights</source>
      <translation>空间权重</translation>
    </message>
    <message>
      <source>Explanatory variables (SDM)</source>
      <translation>解释变量（空间面板）</translation>
    </message>
    <message>
      <source>Model</source>
      <translation>模型</translation>
    </message>
    <message>
      <source>Permutations</source>
      <translation>置换次数</translation>
    </message>
    <message>
      <source>Moran's I</source>
      <translation>Moran's I 指数</translation>
    </message>
    <message>
      <source>LISA map</source>
      <translation>LISA 聚类图</translation>
    </message>
    <message>
      <source>Spatial panel</source>
      <translation>空间面板模型</translation>
    </message>
    <message>
      <source>DID</source>
      <translation>双重差分（DID）</translation>
    </message>
    <message>
      <source>Linked Moran scatter</source>
      <translation>联动 Moran 散点图</translation>
    </message>
    <message>
      <source>Install missing Python packages</source>
      <translation>安装缺少的 Python 包</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>Table</source>
      <translation>表格</translation>
    </message>
    <message>
      <source>Plot</source>
      <translation>图表</translation>
    </message>
    <message>
      <source>Export CSV</source>
      <translation>导出 CSV</translation>
    </message>
    <message>
      <source>Print map (PDF + PNG)</source>
      <translation>打印地图（PDF + PNG）</translation>
    </message>
    <message>
      <source>LISA clusters</source>
      <translation>LISA 聚类</translation>
    </message>
    <message>
      <source>Spatial panel model</source>
      <translation>空间面板模型</translation>
    </message>
    <message>
      <source>Queen contiguity</source>
      <translation>后（Queen）邻接</translation>
    </message>
    <message>
      <source>Rook contiguity</source>
      <translation>车（Rook）邻接</translation>
    </message>
    <message>
      <source>k nearest neighbours</source>
      <translation>k 近邻</translation>
    </message>
    <message>
      <source>An analysis is already running.</source>
      <translation>已有分析正在运行。</translation>
    </message>
    <message>
      <source>LISA done.</source>
      <translation>LISA 分析完成。</translation>
    </message>
    <message>
      <source>The spatial panel model needs the PolicyLink database (a panel over years).</source>
      <translation>空间面板模型需要 PolicyLink 数据库（多年面板数据）。</translation>
    </message>
    <message>
      <source>Give at least one explanatory variable.</source>
      <translation>请至少给出一个解释变量。</translation>
    </message>
    <message>
      <source>Fewer than two years have all variables for every unit.</source>
      <translation>所有单元均有全部变量的年份少于两个。</translation>
    </message>
    <message>
      <source>The DID needs the PolicyLink database (a panel over years).</source>
      <translation>双重差分需要 PolicyLink 数据库（多年面板数据）。</translation>
    </message>
    <message>
      <source>The linked scatter plot needs a layer of the project as data source.</source>
      <translation>联动散点图需要以项目中的图层作为数据源。</translation>
    </message>
    <message>
      <source>Nothing to export yet.</source>
      <translation>尚无可导出的结果。</translation>
    </message>
    <message>
      <source>Run the LISA map first or select a layer.</source>
      <translation>请先生成 LISA 聚类图，或选择一个图层。</translation>
    </message>
    <message>
      <source>Print map</source>
      <translation>打印地图</translation>
    </message>
    <message>
      <source>Choose a layer.</source>
      <translation>请选择图层。</translation>
    </message>
    <message>
      <source>Running: {d}</source>
      <translation>正在运行：{d}</translation>
    </message>
    <message>
      <source>Source: PolicyLink; local Moran's I (Anselin 1995), {p} permutations.</source>
      <translation>资料来源：PolicyLink；局部 Moran's I（Anselin 1995），{p} 次置换。</translation>
    </message>
    <message>
      <source>Source: PolicyLink database; layer {name}.</source>
      <translation>资料来源：PolicyLink 数据库；图层 {name}。</translation>
    </message>
    <message>
      <source>Error: {e}</source>
      <translation>错误：{e}</translation>
    </message>
    <message>
      <source>Cancelled.</source>
      <translation>已取消。</translation>
    </message>
    <message>
      <source>Moran's I done: {n} year(s).</source>
      <translation>Moran's I 计算完成：{n} 个年份。</translation>
    </message>
    <message>
      <source>{m}: {n} units x {t} years, log-likelihood {ll:.3f}.</source>
      <translation>{m}：{n} 个单元 × {t} 年，对数似然 {ll:.3f}。</translation>
    </message>
    <message>
      <source>DID = {b:.4f} (SE {se:.4f}), {n} observations.</source>
      <translation>DID = {b:.4f}（标准误 {se:.4f}），{n} 个观测。</translation>
    </message>
    <message>
      <source>synthetic</source>
      <translation>合成数据</translation>
    </message>
    <message>
      <source>Moran scatter plot (linked to the map)</source>
      <translation>Moran 散点图（与地图联动）</translation>
    </message>
    <message>
      <source>Drag a rectangle to select units; map selections show here.</source>
      <translation>拖动矩形框选择单元；地图上的选择会在此显示。</translation>
    </message>
    <message>
      <source>Moran's I = {value}</source>
      <translation>Moran 指数 I = {value}</translation>
    </message>
    <message>
      <source>All Python packages PolicyLink needs are installed.</source>
      <translation>PolicyLink 所需的 Python 包均已安装。</translation>
    </message>
    <message>
      <source>Installing {names}</source>
      <translation>正在安装 {names}</translation>
    </message>
    <message>
      <source>Installed {names}. Restart QGIS to use them.</source>
      <translation>已安装 {names}。请重启 QGIS 以使用。</translation>
    </message>
    <message>
      <source>Installing {names} failed: {error}</source>
      <translation>安装 {names} 失败：{error}</translation>
    </message>
    <message>
      <source>Missing Python packages: {names}. Use Plugins &gt; PolicyLink &gt; Install missing Python packages, or install with: {cmd}</source>
      <translation>缺少 Python 包：{names}。请使用 插件 &gt; PolicyLink &gt; 安装缺少的 Python 包，或用以下命令安装：{cmd}</translation>
    </message>
    <message>
      <source>Algorithms left out until their packages are installed: {list}</source>
      <translation>以下算法在安装所需的包之前不可用：{list}</translation>
    </message>
    <message>
      <source>Cumulative adoption curve</source>
      <translation>累计采纳曲线</translation>
    </message>
    <message>
      <source>New and cumulative adopters of a programme per year of the window, with logistic and Bass (1969) curves fitted by nonlinear least squares. Outputs: the yearly series with fitted values, the curve parameters with standard errors, a PNG plot and optionally an HTML page. Same inputs and numbers as `policylink diffusion curve`.</source>
      <translation>某项目在时间窗口内每年的新增与累计采纳单位数，并用非线性最小二乘拟合 Logistic 与 Bass（1969）曲线。输出：含拟合值的逐年序列、带标准误的曲线参数、PNG 图，以及可选的 HTML 页面。输入与数值与 `policylink diffusion curve` 相同。</translation>
    </message>
    <message>
      <source>Year</source>
      <translation>年份</translation>
    </message>
    <message>
      <source>Adopters</source>
      <translation>采纳单位数</translation>
    </message>
    <message>
      <source>New adopters</source>
      <translation>新增采纳</translation>
    </message>
    <message>
      <source>Cumulative</source>
      <translation>累计</translation>
    </message>
    <message>
      <source>Adoption per year</source>
      <translation>逐年采纳</translation>
    </message>
    <message>
      <source>Curve parameters</source>
      <translation>曲线参数</translation>
    </message>
    <message>
      <source>Plot (PNG)</source>
      <translation>图（PNG）</translation>
    </message>
    <message>
      <source>Results page</source>
      <translation>结果页</translation>
    </message>
    <message>
      <source>Adoption by period</source>
      <translation>分时段政策采纳</translation>
    </message>
    <message>
      <source>Units with the period in which they first adopted a policy of a programme (default jjj_policy_adoption: the seed 001 Fig. 1 inter-city industrial-coordination policies) and the year of their first event. A unit counts through its own events only (a county's policy does not make its prefecture an adopter), as in seed 001 and the HTML report. Periods are the database's analysis_period labels, scheme seed001: before 2008, 2008-2014, 2014-2016, after 2016; units without any event get 'none'. The layer animates with the Temporal Controller. Without the database: a units layer with a code field and a first-year field (empty = never), periods of the same scheme.</source>
      <translation>lation&gt;各单元首次出台某项目政策的时段（默认 jjj_policy_adoption：种子文献 001 图 1 的城际产业协同政策）及其首个事件的年份。单元只按其自身参与的事件计入（区县的政策不使地级市成为采纳者），与种子文献 001 和 HTML 报告一致。时段为数据库 analysis_period 表 seed001 方案的标签：2008 年以前、2008—2014 年、2014—2016 年、2016 年以后；没有任何事件的单元为 'none'。该图层可由时间控制器按年播放。不使用数据库时：给出含代码字段和首年字段（空值 = 从未采纳）的单元图层，时段方案相同。</translation>
    </message>
    <message>
      <source>Build spatial weights (GAL/GWT)</source>
      <translation>构建空间权重（GAL/GWT）</translation>
    </message>
    <message>
      <source>Builds queen or rook contiguity or k-nearest-neighbour weights from the geometries of a layer (libpysal) and writes them as a GAL (binary) or GWT file that GeoDa, libpysal and every PolicyLink algorithm can read. Units without neighbours (islands) are reported. For the database, the w_queen and w_rook views hold the same contiguity; refresh them with the command `policylink views refresh`.</source>
      <translation>根据图层几何（libpysal）构建后邻接、车邻接或 k 近邻空间权重，并写成 GeoDa、libpysal 和所有 PolicyLink 算法均可读取的 GAL（二元）或 GWT 文件。没有邻居的单元（孤岛）会被报告。数据库中的 w_queen 和 w_rook 视图给出相同的邻接关系，可用命令 `policylink views refresh` 刷新。</translation>
    </message>
    <message>
      <source>Weights file</source>
      <translation>权重文件</translation>
    </message>
    <message>
      <source>Coordination links</source>
      <translation>协同联系</translation>
    </message>
    <message>
      <source>One line per pair of units and link type, between their representative points, for the events of a programme (default jjj_coordination, seed 001): multi-party events link every pair of parties, transfers link senders to receivers; at prefecture level counties roll up to their prefecture. Fields: a, b, name_a, name_b, link_type (event kind), n_events, first_year, last_year. Width follows n_events, colour the link type; the layer animates from each link's first year. Without the database: a units layer with a code field and a link table with one row per event and pair of codes (optional link type, year and event id fields; without an event id every row is one event).</source>
      <translation>lation&gt;按某项目的事件（默认 jjj_coordination，种子文献 001）生成连线：每对单元、每种联系类型一条线，连接两单元的代表点；多方事件连接每一对参与方，转移事件连接转出方与承接方；地级层面区县归并到所属地级市。字段：a、b、name_a、name_b、link_type（事件类型）、n_events、first_year、last_year。线宽随事件数变化，颜色表示联系类型；图层从每条联系的首个年份起按年播放。不使用数据库时：给出含代码字段的单元图层，以及每个事件、每对单元代码一行的联系表（可选联系类型、年份和事件编号字段；没有事件编号时每行算一个事件）。</translation>
    </message>
    <message>
      <source>{n} links from {e} event-pairs</source>
      <translation>{n} 条联系，来自 {e} 个事件-单元对</translation>
    </message>
    <message>
      <source>Regression</source>
      <translation>回归分析</translation>
    </message>
    <message>
      <source>Callaway-Sant'Anna DID</source>
      <translation>Callaway-Sant'Anna 双重差分</translation>
    </message>
    <message>
      <source>Callaway and Sant'Anna (2021) group-time average treatment effects for staggered adoption (policylink.analyses.did.run_callaway_santanna, as `policylink did cs`): outcome-regression, inverse-probability-weighting or doubly-robust estimator (with controls; without, all three are the unconditional DID), never-treated, not-yet-treated or automatic comparison group, anticipation years, and the simple, dynamic (event-time), group and calendar aggregations; optional multiplier bootstrap with uniform 95% bands. With a unit layer, also the unit-level effects: every unit with its cohort (first treated year) and the cohort's ATT, se and p, joined to the unit geometries for mapping.</source>
      <translation>交错采纳下 Callaway 与 Sant'Anna（2021）的组-时期平均处理效应（policylink.analyses.did.run_callaway_santanna，与 `policylink did cs` 相同）：结果回归、逆概率加权或双重稳健估计量（有控制变量时；无控制变量时三者均为无条件 DID），从未处理、尚未处理或自动选择的对照组，预期年数，以及简单、动态（相对年份）、按组和按日历年的汇总；可选乘子自助法给出一致 95% 置信带。给出单元图层时，还输出单元层面的效应：每个单元及其队列（首次处理年份）和该队列的 ATT、标准误与 p 值，连接到单元几何以便制图。</translation>
    </message>
    <message>
      <source>Imputation DID (Borusyak-Jaravel-Spiess)</source>
      <translation>插补法 DID（Borusyak-Jaravel-Spiess）</translation>
    </message>
    <message>
      <source>Imputation difference-in-differences (Borusyak, Jaravel and Spiess 2024; policylink.analyses.did.run_imputation, as `policylink did imputation`): unit and year effects (and controls) fitted on the untreated observations, treated outcomes compared with their imputed counterfactual; overall ATT and event-time effects with the BJS conservative standard errors clustered by unit, two-way by unit and year, or Conley spatial HAC with a distance cutoff in km (units located by the centroids of a unit layer), and a pre-trend test on the untreated observations. Output: table rel_time, estimate, se, p, n_obs, kind (effect or pretrend); INFERENCE names the standard errors.</source>
      <translation>插补法双重差分（Borusyak、Jaravel 与 Spiess 2024；policylink.analyses.did.run_imputation，与 `policylink did imputation` 相同）：用未处理观测拟合单元与年份效应（及控制变量），将处理观测的结果与插补的反事实比较；给出总体 ATT 和按相对年份的效应，标准误为 BJS 保守方差，可按单元聚类、按单元和年份双向聚类，或采用带距离截断（km）的 Conley 空间 HAC（单元位置取单元图层的质心），以及基于未处理观测的前趋势检验。输出：表 rel_time、estimate、se、p、n_obs、kind（effect 或 pretrend）；INFERENCE 说明所用的标准误。</translation>
    </message>
    <message>
      <source>HonestDiD sensitivity (Rambachan-Roth)</source>
      <translation>HonestDiD 敏感性分析（Rambachan-Roth）</translation>
    </message>
    <message>
      <source>How robust is the event-study effect to violations of parallel trends (Rambachan and Roth 2023; policylink.analyses.did.run_honest, as `policylink did honest`): for each M, the identified set and the confidence set of the target (average of the post periods, the first, or one event time) under relative-magnitude (post violations at most M times the largest pre-period one) or smoothness restrictions (slope changes at most M per period), the breakdown value of M, and the power of the pre-trend test (Roth 2022: linear trends detected with 50% and 80% probability). The event study's covariance is clustered by unit, two-way by unit and year, or Conley spatial HAC with a distance cutoff in km (units located by the centroids of a unit layer); INFERENCE names it. Optional PNG: the sensitivity plot.</source>
      <translation>事件研究效应对平行趋势偏离的稳健程度（Rambachan 与 Roth 2023；policylink.analyses.did.run_honest，与 `policylink did honest` 相同）：对每个 M，给出目标（处理后各期的平均、第一期或某一相对年份）在相对幅度约束（处理后偏离不超过处理前最大偏离的 M 倍）或平滑性约束（每期斜率变化不超过 M）下的识别集与置信集、M 的突破值，以及前趋势检验的功效（Roth 2022：以 50% 和 80% 概率检出的线性趋势）。事件研究的协方差可按单元聚类、按单元和年份双向聚类，或采用带距离截断（km）的 Conley 空间 HAC（单元位置取单元图层的质心）；INFERENCE 说明所用的标准误。可选 PNG：敏感性图。</translation>
    </message>
    <message>
      <source>Outcome regression</source>
      <translation>结果回归</translation>
    </message>
    <message>
      <source>Inverse probability weighting</source>
      <translation>逆概率加权</translation>
    </message>
    <message>
      <source>Doubly robust</source>
      <translation>双重稳健</translation>
    </message>
    <message>
      <source>Never treated</source>
      <translation>从未处理</translation>
    </message>
    <message>
      <source>Not yet treated</source>
      <translation>尚未处理</translation>
    </message>
    <message>
      <source>Never treated if any, else not yet treated</source>
      <translation>有从未处理单元时用之，否则用尚未处理单元</translation>
    </message>
    <message>
      <source>Dynamic (event time)</source>
      <translation>动态（相对年份）</translation>
    </message>
    <message>
      <source>Simple (overall)</source>
      <translation>简单（总体）</translation>
    </message>
    <message>
      <source>Group (cohort)</source>
      <translation>按组（队列）</translation>
    </message>
    <message>
      <source>Calendar year</source>
      <translation>按日历年</translation>
    </message>
    <message>
      <source>Panel table (unit, year, variables)</source>
      <translation>面板表（单元、年份、变量）</translation>
    </message>
    <message>
      <source>Unit id field</source>
      <translation>单元编号字段</translation>
    </message>
    <message>
      <source>Year field</source>
      <translation>年份字段</translation>
    </message>
    <message>
      <source>Outcome</source>
      <translation>结果变量</translation>
    </message>
    <message>
      <source>First treated year field (0 or empty = never)</source>
      <translation>首次处理年份字段（0 或空值 = 从未处理）</translation>
    </message>
    <message>
      <source>SYNTHETIC data.</source>
      <translation>合成数据（SYNTHETIC）。</translation>
    </message>
    <message>
      <source>Estimator</source>
      <translation>估计量</translation>
    </message>
    <message>
      <source>Comparison group</source>
      <translation>对照组</translation>
    </message>
    <message>
      <source>Aggregation of the main table</source>
      <translation>主表的汇总方式</translation>
    </message>
    <message>
      <source>Anticipation years</source>
      <translation>预期年数</translation>
    </message>
    <message>
      <source>Bootstrap draws for uniform bands (0 = none)</source>
      <translation>一致置信带的自助抽样次数（0 = 不计算）</translation>
    </message>
    <message>
      <source>Callaway-Sant'Anna ATTs</source>
      <translation>Callaway-Sant'Anna 平均处理效应（ATT）</translation>
    </message>
    <message>
      <source>Aggregations</source>
      <translation>汇总</translation>
    </message>
    <message>
      <source>Optional: unit layer for the unit-level effects</source>
      <translation>可选：用于单元层面效应的单元图层</translation>
    </message>
    <message>
      <source>Unit id field of the unit layer</source>
      <translation>单元图层的单元编号字段</translation>
    </message>
    <message>
      <source>Unit-level effects (cohort ATT per unit)</source>
      <translation>单元层面效应（各单元所属队列的 ATT）</translation>
    </message>
    <message>
      <source>The unit-level effects need the unit layer and its unit id field.</source>
      <translation>单元层面效应需要单元图层及其单元编号字段。</translation>
    </message>
    <message>
      <source>Largest event time reported (0 = all)</source>
      <translation>报告的最大相对年份（0 = 全部）</translation>
    </message>
    <message>
      <source>Leads in the pre-trend test (0 = none)</source>
      <translation>前趋势检验的提前期数（0 = 不检验）</translation>
    </message>
    <message>
      <source>Imputation DID by event time</source>
      <translation>按相对年份的插补法 DID</translation>
    </message>
    <message>
      <source>Restriction</source>
      <translation>约束</translation>
    </message>
    <message>
      <source>Values of M (comma-separated)</source>
      <translation>M 的取值（逗号分隔）</translation>
    </message>
    <message>
      <source>Target: average, first or an event time (0, 1, ...)</source>
      <translation>目标：average（平均）、first（第一期）或某一相对年份（0、1、……）</translation>
    </message>
    <message>
      <source>Leads</source>
      <translation>前导期数</translation>
    </message>
    <message>
      <source>Lags</source>
      <translation>滞后期数</translation>
    </message>
    <message>
      <source>Significance level</source>
      <translation>显著性水平</translation>
    </message>
    <message>
      <source>HonestDiD sensitivity</source>
      <translation>HonestDiD 敏感性</translation>
    </message>
    <message>
      <source>Sensitivity plot</source>
      <translation>敏感性图</translation>
    </message>
    <message>
      <source>Controls</source>
      <translation>控制变量</translation>
    </message>
    <message>
      <source>Values of M must be numbers separated by commas, e.g. 0,0.5,1.</source>
      <translation>M 的取值必须是逗号分隔的数字，例如 0,0.5,1。</translation>
    </message>
    <message>
      <source>Relative magnitudes</source>
      <translation>相对幅度</translation>
    </message>
    <message>
      <source>Smoothness</source>
      <translation>平滑性</translation>
    </message>
    <message>
      <source>Difference-in-differences suite (TWFE, event study, placebo)</source>
      <translation>双重差分分析（TWFE、事件研究、安慰剂检验）</translation>
    </message>
    <message>
      <source>Staggered difference-in-differences on a long panel (seed 004): two-way fixed-effects DID with controls and cluster-robust errors (pyfixest), an event study with binned leads and lags (reference: the year before adoption) and a joint pre-trend test, and optionally a placebo test with random reassignments of treatment. Treatment is a 0/1 column or the first treated year (0 or empty = never), e.g. from the adoption_panel view. Outputs: coefficient table, event-study table and an HTML page with the plots. With a layer of the units' boundaries, also the spatial DID (SLX: TWFE with the share of treated neighbours, W*D, weights from the boundaries or a GAL/GWT file): its direct effect and spillover, with either cluster-robust standard errors (as chosen above; they assume errors independent across clusters) or Conley spatial-HAC standard errors with a distance cutoff in km (errors of units closer than the cutoff may be correlated). Conley also replaces the clustered errors of the TWFE DID and the event study (units located by the centroids of the boundaries layer). The outputs INFERENCE (TWFE) and INFERENCE_SPATIAL say which standard errors were used.</source>
      <translation>长面板上的交错双重差分（seed 004）：含控制变量和聚类稳健标准误的双向固定效应 DID（pyfixest）、对首尾期合并的事件研究（参照期为采纳前一年）及联合平行趋势检验，并可选随机重新分配处理的安慰剂检验。处理变量为 0/1 列或首次处理年份（0 或空 = 从未处理），例如来自 adoption_panel 视图。输出：系数表、事件研究表和含图的 HTML 页面。若提供单元边界图层，还估计空间 DID（SLX：加入处理邻居比例 W*D 的 TWFE，权重来自边界或 GAL/GWT 文件）的直接效应与溢出效应，标准误可选聚类稳健（按上面的聚类方式；假定聚类之间误差独立）或带距离截断（km）的 Conley 空间 HAC（距离小于截断值的单元误差可以相关）。选择 Conley 时，TWFE DID 和事件研究的聚类标准误也由 Conley 标准误代替（单元位置取边界图层的质心）。输出 INFERENCE（TWFE）和 INFERENCE_SPATIAL 说明所用的标准误。</translation>
    </message>
    <message>
      <source>Or: first treated year from another layer (e.g. Pilot batches)</source>
      <translation>或：从另一图层读取首次处理年份（如“试点批次”）</translation>
    </message>
    <message>
      <source>DID coefficients</source>
      <translation>DID 系数</translation>
    </message>
    <message>
      <source>Event study</source>
      <translation>事件研究</translation>
    </message>
    <message>
      <source>Treatment 0/1 field</source>
      <translation>处理变量（0/1）字段</translation>
    </message>
    <message>
      <source>Or: first treated year field</source>
      <translation>或：首次处理年份字段</translation>
    </message>
    <message>
      <source>Clustered standard errors</source>
      <translation>聚类标准误</translation>
    </message>
    <message>
      <source>Placebo draws (0 = no placebo test)</source>
      <translation>安慰剂抽样次数（0 = 不做安慰剂检验）</translation>
    </message>
    <message>
      <source>Optional: unit boundaries for the spatial DID (SLX)</source>
      <translation>可选：空间 DID（SLX）的单元边界</translation>
    </message>
    <message>
      <source>Unit id field of the boundaries</source>
      <translation>边界图层的单元 ID 字段</translation>
    </message>
    <message>
      <source>Standard errors (TWFE, event study and spatial DID)</source>
      <translation>标准误（TWFE、事件研究和空间 DID）</translation>
    </message>
    <message>
      <source>Optional: unit boundaries (their centroids locate the units for Conley)</source>
      <translation>可选：单元边界图层（以其质心作为 Conley 标准误的单元位置）</translation>
    </message>
    <message>
      <source>Standard errors: {inference}</source>
      <translation>标准误：{inference}</translation>
    </message>
    <message>
      <source>Layer '{layer}' has no coordinate reference system (CRS), so the distances of the Conley standard errors cannot be measured; set its CRS (Layer Properties, Source).</source>
      <translation>图层 '{layer}' 没有坐标参考系（CRS），无法测量 Conley 标准误所需的距离；请设置其 CRS（图层属性 &gt; 源）。</translation>
    </message>
    <message>
      <source>Conley distance cutoff (km)</source>
      <translation>Conley 距离截断（km）</translation>
    </message>
    <message>
      <source>Conley kernel</source>
      <translation>Conley 核函数</translation>
    </message>
    <message>
      <source>Spatial DID effects</source>
      <translation>空间 DID 效应</translation>
    </message>
    <message>
      <source>Choose exactly one of the treatment field, the first treated year field and a treatment layer.</source>
      <translation>处理变量字段、首次处理年份字段和处理图层三者请只选其一。</translation>
    </message>
    <message>
      <source>Difference-in-differences</source>
      <translation>双重差分</translation>
    </message>
    <message>
      <source>Its unit id field</source>
      <translation>该图层的单元编号字段</translation>
    </message>
    <message>
      <source>Its first treated year field</source>
      <translation>该图层的首次处理年份字段</translation>
    </message>
    <message>
      <source>Conley standard errors need the units' locations: give the unit boundaries layer and its unit id field.</source>
      <translation>Conley 标准误需要单元位置：请提供单元边界图层及其单元 ID 字段。</translation>
    </message>
    <message>
      <source>With a treatment layer, choose its unit id and first treated year fields.</source>
      <translation>使用处理图层时，请选择其单元编号字段和首次处理年份字段。</translation>
    </message>
    <message>
      <source>TWFE standard errors: {inference}</source>
      <translation>TWFE 标准误：{inference}</translation>
    </message>
    <message>
      <source>TWFE DID</source>
      <translation>TWFE DID（双向固定效应双重差分）</translation>
    </message>
    <message>
      <source>Event-study plot</source>
      <translation>事件研究图</translation>
    </message>
    <message>
      <source>Joint pre-trend test</source>
      <translation>联合平行趋势检验</translation>
    </message>
    <message>
      <source>By unit</source>
      <translation>按个体</translation>
    </message>
    <message>
      <source>By unit and year</source>
      <translation>按个体和年份</translation>
    </message>
    <message>
      <source>Cluster-robust (clusters as chosen above)</source>
      <translation>聚类稳健（按上面选择的聚类）</translation>
    </message>
    <message>
      <source>Conley spatial HAC (distance cutoff below)</source>
      <translation>Conley 空间 HAC（使用下面的距离截断）</translation>
    </message>
    <message>
      <source>Bartlett (weight falls linearly to the cutoff)</source>
      <translation>Bartlett（权重随距离线性降至截断处）</translation>
    </message>
    <message>
      <source>Uniform</source>
      <translation>均匀核</translation>
    </message>
    <message>
      <source>Layer '{layer}' has no coordinate reference system (CRS), so neighbours in metres cannot be found; set its CRS (Layer Properties, Source) or give a weights file (GAL or GWT).</source>
      <translation>图层 '{layer}' 没有坐标参考系（CRS），无法按米确定邻居；请设置其 CRS（图层属性 &gt; 源）或提供权重文件（GAL 或 GWT）。</translation>
    </message>
    <message>
      <source>Spatial DID standard errors: {inference}</source>
      <translation>空间 DID 标准误：{inference}</translation>
    </message>
    <message>
      <source>Placebo test</source>
      <translation>安慰剂检验</translation>
    </message>
    <message>
      <source>Synthetic DID (Arkhangelsky et al.)</source>
      <translation>合成双重差分（Arkhangelsky 等）</translation>
    </message>
    <message>
      <source>Synthetic difference-in-differences (Arkhangelsky et al. 2021; policylink.analyses.did.run_sdid, as `policylink did sdid`) for staggered adoption: each adoption cohort against the never-treated units with unit weights (controls that track the cohort before adoption) and time weights (pre-periods that resemble the post-periods); overall ATT weighted by treated units x post periods, with placebo, jackknife or bootstrap standard errors. Also synthetic control and plain DID. Outputs: table of the ATT and the cohort estimates, time weights table (cohort, year, lambda), and with a unit layer the unit weights joined to the unit geometries (field omega_&lt;cohort&gt; per cohort; treated units get their cohort and no weight). Balanced panel; controls are not used.</source>
      <translation>合成双重差分（Arkhangelsky 等 2021；policylink.analyses.did.run_sdid，与 `policylink did sdid` 相同），用于交错采纳：每个采纳批次与从未处理单元比较，单元权重使对照单元在采纳前贴近该批次，时间权重使处理前各期贴近处理后各期；总体 ATT 按处理单元数 × 处理后期数加权，标准误可用安慰剂法、刀切法或自助法。也可估计合成控制和普通双重差分。输出：ATT 与各批次估计表、时间权重表（cohort、year、lambda）；给出单元图层时还输出连接到单元几何的单元权重（每个批次一个字段 omega_&lt;cohort&gt;；处理单元给出其批次、不给权重）。需要平衡面板；不使用控制变量。</translation>
    </message>
    <message>
      <source>de Chaisemartin-D'Haultfoeuille DID</source>
      <translation>de Chaisemartin-D'Haultfoeuille 双重差分</translation>
    </message>
    <message>
      <source>de Chaisemartin and D'Haultfoeuille estimators for treatments that may switch on and off (policylink.analyses.did.run_dcdh, as `policylink did dcdh`): DID_M compares units whose treatment changes (joiners and leavers) with units whose treatment does not; DID_l follows units from their first switch, with placebos before it; bootstrap standard errors over units. Treatment: the optional 0/1 field (may switch off), else the first treated year (absorbing). Output: table rel_time, estimate, se, p, n_switchers (placebos at negative rel_time). Balanced panel; controls are not used.</source>
      <translation>de Chaisemartin 和 D'Haultfoeuille 的估计量，适用于可以进入和退出的处理（policylink.analyses.did.run_dcdh，与 `policylink did dcdh` 相同）：DID_M 比较处理状态改变的单元（进入者和退出者）与处理状态不变的单元；DID_l 从单元首次转换起跟踪，并在此之前给出安慰剂估计；标准误由按单元的自助法得到。处理：可选的 0/1 字段（可以退出），否则为首次处理年份（吸收型）。输出：表 rel_time、estimate、se、p、n_switchers（安慰剂位于负的 rel_time）。需要平衡面板；不使用控制变量。</translation>
    </message>
    <message>
      <source>Synthetic DID</source>
      <translation>合成双重差分</translation>
    </message>
    <message>
      <source>Synthetic control</source>
      <translation>合成控制</translation>
    </message>
    <message>
      <source>Plain DID</source>
      <translation>普通双重差分</translation>
    </message>
    <message>
      <source>Placebo</source>
      <translation>安慰剂法</translation>
    </message>
    <message>
      <source>Jackknife</source>
      <translation>刀切法</translation>
    </message>
    <message>
      <source>Bootstrap</source>
      <translation>自助法</translation>
    </message>
    <message>
      <source>No standard errors</source>
      <translation>不计算标准误</translation>
    </message>
    <message>
      <source>Placebo with enough controls, else bootstrap</source>
      <translation>对照单元足够时用安慰剂法，否则用自助法</translation>
    </message>
    <message>
      <source>Standard errors</source>
      <translation>标准误</translation>
    </message>
    <message>
      <source>Placebo / bootstrap replications</source>
      <translation>安慰剂 / 自助法重复次数</translation>
    </message>
    <message>
      <source>Synthetic DID estimates</source>
      <translation>合成双重差分估计</translation>
    </message>
    <message>
      <source>Time weights</source>
      <translation>时间权重</translation>
    </message>
    <message>
      <source>Optional: unit layer for the unit weights</source>
      <translation>可选：用于单元权重的单元图层</translation>
    </message>
    <message>
      <source>Unit weights (one field per cohort)</source>
      <translation>单元权重（每个采纳批次一个字段）</translation>
    </message>
    <message>
      <source>Plot: treated vs synthetic control</source>
      <translation>图：处理组与合成对照</translation>
    </message>
    <message>
      <source>The unit weights need the unit layer and its unit id field.</source>
      <translation>单元权重需要单元图层及其单元编号字段。</translation>
    </message>
    <message>
      <source>Optional: 0/1 treatment field (may switch off; replaces the first year)</source>
      <translation>可选：0/1 处理字段（可以退出处理；代替首次处理年份）</translation>
    </message>
    <message>
      <source>Dynamic effects DID_1..DID_n</source>
      <translation>动态效应 DID_1..DID_n</translation>
    </message>
    <message>
      <source>Placebo estimators</source>
      <translation>安慰剂估计量个数</translation>
    </message>
    <message>
      <source>Bootstrap draws (0 = no standard errors)</source>
      <translation>自助法抽样次数（0 = 不计算标准误）</translation>
    </message>
    <message>
      <source>DID_l and placebos</source>
      <translation>DID_l 与安慰剂估计</translation>
    </message>
    <message>
      <source>Plot: DID_l and placebos</source>
      <translation>图：DID_l 与安慰剂估计</translation>
    </message>
    <message>
      <source>Give exactly one of the first treated year field and the 0/1 treatment field.</source>
      <translation>首次处理年份字段和 0/1 处理字段必须且只能给出其中一个。</translation>
    </message>
    <message>
      <source>Diffusion paths</source>
      <translation>扩散路径</translation>
    </message>
    <message>
      <source>Directed edges i -&gt; j between queen-contiguous units where j adopted after i (effective pilot years), drawn as arrows between representative points, with lag_years = first year of j - first year of i. The layer animates from the year j adopted.</source>
      <translation>后邻接单元之间的有向边 i -&gt; j（j 晚于 i 采纳，按试点生效年份），以代表点之间的箭头表示，lag_years = j 的首年 - i 的首年。图层从 j 采纳的年份起按年播放。</translation>
    </message>
    <message>
      <source>Event history analysis of adoption (hazard ratios)</source>
      <translation>政策采纳事件史分析（风险比）</translation>
    </message>
    <message>
      <source>Discrete-time event history analysis (Berry &amp; Berry 1990): the yearly hazard that a unit still at risk adopts the programme, by the lagged share of its neighbours that adopted, whether its higher-level unit adopted, optional covariates from the database (lagged one year) and a cubic duration term. Several programmes (comma-separated) are pooled with programme-specific baselines. Logit gives odds ratios, cloglog hazard ratios; standard errors are clustered by unit. Outputs: the coefficient table with ratios and average marginal effects, and a unit layer with each unit's first adoption year, years at risk, neighbour share in its last year at risk and its hazard (odds) ratio then, exp of the regressors times their coefficients with a 95% interval, against a unit with every regressor at 0, coloured by that ratio. Same inputs and numbers as `policylink diffusion eha`.</source>
      <translation>离散时间事件史分析（Berry &amp; Berry 1990）：尚处风险集中的单元每年采纳该项目的风险，解释变量为滞后一期的已采纳邻居比例、上级单元是否已采纳、可选的数据库协变量（滞后一年）以及三次时间依赖项。多个项目（逗号分隔）合并估计，各项目有各自的基线。Logit 给出优势比，cloglog 给出风险比；标准误按单元聚类。输出：含比值与平均边际效应的系数表，以及单元图层：各单元首次采纳年份、处于风险集的年数、最后风险年的邻居比例及其当年的风险比（优势比），即各解释变量乘以系数之和的指数及其 95% 置信区间，以所有解释变量为 0 的单元为参照，并按该比值着色。输入与数值与 `policylink diffusion eha` 相同。</translation>
    </message>
    <message>
      <source>Hazard model coefficients</source>
      <translation>风险模型系数</translation>
    </message>
    <message>
      <source>Neighbours</source>
      <translation>邻居</translation>
    </message>
    <message>
      <source>Hazard link</source>
      <translation>风险连接函数</translation>
    </message>
    <message>
      <source>Covariates (variables, comma-separated)</source>
      <translation>协变量（变量名，逗号分隔）</translation>
    </message>
    <message>
      <source>Units with adoption year, neighbour exposure and hazard ratio</source>
      <translation>含采纳年份、邻居暴露与风险比的单元</translation>
    </message>
    <message>
      <source>Logit (odds ratios)</source>
      <translation>Logit（优势比）</translation>
    </message>
    <message>
      <source>Complementary log-log (hazard ratios)</source>
      <translation>互补双对数（风险比）</translation>
    </message>
    <message>
      <source>Refresh and export database weights (GAL/GWT)</source>
      <translation>刷新并导出数据库空间权重（GAL/GWT）</translation>
    </message>
    <message>
      <source>Reads spatial weights from the PolicyLink database views through policylink.dbread: queen or rook contiguity (w_queen / w_rook, tolerant of slivers and gaps), k nearest neighbours (knn:K) or a distance band in metres (distance:METRES), for one level and optionally within some codes, and writes them as GAL (binary) or GWT. With 'Refresh' the materialised views whose source tables changed since their last refresh are refreshed first, as policylink demo does (needs a role that owns them; the read-only policylink_reader cannot); up-to-date views are left alone. Islands are kept and reported. Use the file as WEIGHTS_FILE of the statistics algorithms.</source>
      <translation>通过 policylink.dbread 从 PolicyLink 数据库视图读取某一级（可限定范围）的空间权重：后邻接或车邻接（w_queen / w_rook，容忍碎片和缝隙）、k 近邻（knn:K）或以米为单位的距离带（distance:METRES），并写成 GAL（二元）或 GWT 文件。勾选“刷新”时，先刷新自上次刷新以来源表有变动的物化视图，与 policylink demo 相同（需要拥有这些视图的角色；只读角色 policylink_reader 不能刷新）；已是最新的视图不动。孤岛单元会保留并报告。该文件可作为各统计算法的 WEIGHTS_FILE。</translation>
    </message>
    <message>
      <source>Weights (queen, rook, knn:K or distance:METRES)</source>
      <translation>权重类型（queen、rook、knn:K 或 distance:METRES）</translation>
    </message>
    <message>
      <source>Refresh the out-of-date materialised views first</source>
      <translation>先刷新过期的物化视图</translation>
    </message>
    <message>
      <source>Units without neighbours (islands), kept with a zero spatial lag: </source>
      <translation>没有邻居的单元（孤岛），其空间滞后取 0：</translation>
    </message>
    <message>
      <source>Refreshed: {v}</source>
      <translation>已刷新：{v}</translation>
    </message>
    <message>
      <source>Materialised views are up to date</source>
      <translation>物化视图已是最新</translation>
    </message>
    <message>
      <source>Out of date for this level (boundaries loaded since): {v}; tick Refresh</source>
      <translation>本级的视图已过期（此后又载入了边界）：{v}；请勾选“刷新”</translation>
    </message>
    <message>
      <source>Export map (PDF + PNG)</source>
      <translation>导出地图（PDF + PNG）</translation>
    </message>
    <message>
      <source>Policy maps</source>
      <translation>政策地图</translation>
    </message>
    <message>
      <source>Builds an A4 landscape print layout of the chosen layers (first = top) with their current styles: title, legend (only the classes on the map), scale bar in km, north arrow and a source note, and exports it to PDF and to a PNG beside it. Say where the data come from and that they are synthetic when they are.</source>
      <translation>用所选图层（第一个在最上层）及其当前样式生成 A4 横向打印布局：标题、图例（仅显示地图上出现的类别）、以千米为单位的比例尺、指北针和资料来源说明，并导出为 PDF 及同名 PNG。请注明数据来源；若为合成数据须注明。</translation>
    </message>
    <message>
      <source>Layers (top first)</source>
      <translation>图层（自上而下）</translation>
    </message>
    <message>
      <source>Title</source>
      <translation>标题</translation>
    </message>
    <message>
      <source>Source note</source>
      <translation>资料来源说明</translation>
    </message>
    <message>
      <source>PNG resolution (dpi)</source>
      <translation>PNG 分辨率（dpi）</translation>
    </message>
    <message>
      <source>PDF file</source>
      <translation>PDF 文件</translation>
    </message>
    <message>
      <source>Choose at least one layer.</source>
      <translation>请至少选择一个图层。</translation>
    </message>
    <message>
      <source>Getis-Ord Gi* hot spots</source>
      <translation>Getis-Ord Gi* 热点分析</translation>
    </message>
    <message>
      <source>Getis-Ord Gi* (Ord and Getis 1995; each unit in its own neighbourhood) with analytic z and seeded permutation p-values. Output fields: gi_g, gi_z (analytic z), gi_zsim, gi_p, gi_sig and gi_cl ('hot spot', 'cold spot', 'not significant').</source>
      <translation>Getis-Ord Gi*（Ord 与 Getis 1995；每个单元包含在自身邻域中），给出解析 z 值和置换 p 值（可设随机种子）。输出字段：gi_g、gi_z（解析 z）、gi_zsim、gi_p、gi_sig 和 gi_cl（'hot spot' 热点、'cold spot' 冷点、'not significant' 不显著）。</translation>
    </message>
    <message>
      <source>Global Moran's I by year</source>
      <translation>逐年全局 Moran's I</translation>
    </message>
    <message>
      <source>Global Moran's I (Moran 1950) for each year, with E[I] = -1/(n-1), and z and p under normality, randomisation (Cliff and Ord 1981) and permutation (seeded). Give the values either as several fields of the unit layer (one per year, e.g. co2_2006 ... co2_2019) or as a long table (unit id, year, value), e.g. the emission_panel view of the PolicyLink database or a CSV layer. Weights are row-standardised. p is one-sided ('greater') by default, as in seed 000 Table 4.</source>
      <translation>逐年计算全局 Moran's I（Moran 1950），给出 E[I] = -1/(n-1)，以及正态假设、随机化假设（Cliff 与 Ord 1981）和置换检验（可设随机种子）下的 z 值与 p 值。数值可以是单元图层的多个字段（每年一个，如 co2_2006 … co2_2019），也可以是长表（单元编号、年份、数值），例如 PolicyLink 数据库的 emission_panel 视图或 CSV 图层。权重按行标准化。p 值默认单侧（'greater'），与种子文献 000 表 4 一致。</translation>
    </message>
    <message>
      <source>Or: long panel table (unit, year, value)</source>
      <translation>或：长格式面板表（单元、年份、数值）</translation>
    </message>
    <message>
      <source>Value fields of the unit layer, one per year</source>
      <translation>单元图层的数值字段（每年一个）</translation>
    </message>
    <message>
      <source>Panel value field</source>
      <translation>面板数值字段</translation>
    </message>
    <message>
      <source>Alternative hypothesis</source>
      <translation>备择假设</translation>
    </message>
    <message>
      <source>Moran's I by year</source>
      <translation>逐年 Moran's I</translation>
    </message>
    <message>
      <source>Give value fields of the unit layer or a long panel table.</source>
      <translation>请给出单元图层的数值字段或长格式面板表。</translation>
    </message>
    <message>
      <source>Panel unit id field</source>
      <translation>面板单元编号字段</translation>
    </message>
    <message>
      <source>Panel year field</source>
      <translation>面板年份字段</translation>
    </message>
    <message>
      <source>With a panel table, choose its unit id, year and value fields.</source>
      <translation>使用面板表时，请选择其单元编号、年份和数值字段。</translation>
    </message>
    <message>
      <source>Global Moran's I by year, layer {layer}.</source>
      <translation>逐年全局 Moran's I，图层 {layer}。</translation>
    </message>
    <message>
      <source>Positive autocorrelation (one-sided)</source>
      <translation>正自相关（单侧）</translation>
    </message>
    <message>
      <source>Two-sided</source>
      <translation>双侧</translation>
    </message>
    <message>
      <source>Negative autocorrelation (one-sided)</source>
      <translation>负自相关（单侧）</translation>
    </message>
    <message>
      <source>Load units and panel from the PolicyLink database</source>
      <translation>从 PolicyLink 数据库读取空间单元和面板数据</translation>
    </message>
    <message>
      <source>Reads the administrative units of one level (optionally within some codes: a unit is kept when its code or an ancestor's code is listed, e.g. 110000,120000,130000 for Jing-Jin-Ji) as a polygon layer, and the chosen variables for those units as a long table (unit_code, year, one column per variable); the units also carry one field per variable and year (&lt;variable&gt;_&lt;year&gt;). Feed them to the Moran, spatial panel and DID algorithms (unit id field 'code', panel fields 'unit_code' and 'year'). Variables flagged synthetic in the catalogue are reported.</source>
      <translation>读取某一级行政单元为面图层（可限定范围：单元本身或其上级的代码在列表中即保留，例如京津冀为 110000,120000,130000），并将这些单元的所选变量读为长表（unit_code、year，每个变量一列）；单元图层另带每个变量每年一个字段（&lt;variable&gt;_&lt;year&gt;）。可直接输入 Moran、空间面板和 DID 算法（单元编号字段 'code'，面板字段 'unit_code' 和 'year'）。变量目录中标记为合成数据的变量会给出提示。</translation>
    </message>
    <message>
      <source>Variables (comma-separated)</source>
      <translation>变量（逗号分隔）</translation>
    </message>
    <message>
      <source>First year</source>
      <translation>起始年份</translation>
    </message>
    <message>
      <source>Last year</source>
      <translation>结束年份</translation>
    </message>
    <message>
      <source>Units</source>
      <translation>空间单元</translation>
    </message>
    <message>
      <source>Panel</source>
      <translation>面板数据</translation>
    </message>
    <message>
      <source>PolicyLink database, {level} units; variables: {v}.</source>
      <translation>PolicyLink 数据库，{level} 级单元；变量：{v}。</translation>
    </message>
    <message>
      <source>{n} units, {r} panel rows</source>
      <translation>{n} 个单元，{r} 行面板数据</translation>
    </message>
    <message>
      <source>Variable {v} is SYNTHETIC data.</source>
      <translation>变量 {v} 为合成数据。</translation>
    </message>
    <message>
      <source>Local Moran's I (LISA clusters)</source>
      <translation>局部 Moran's I（LISA 聚类）</translation>
    </message>
    <message>
      <source>Local Moran's I (Anselin 1995) with conditional permutation p-values (seeded) and optional FDR or Bonferroni control. Output fields: lisa_i (local I), lisa_q (quadrant HH, LH, LL, HL), lisa_z, lisa_p (pseudo p), lisa_sig and lisa_cl (the quadrant when significant, else 'not significant'), styled with GeoDa's LISA colours. Beside it the significance map: lisa_pcl, the class of the pseudo p-value (p &lt;= 0.001, 0.01, 0.05, not significant; unadjusted, as GeoDa's significance map), styled in greens.</source>
      <translation>lation&gt;局部 Moran's I（Anselin 1995），采用条件置换 p 值（可设随机种子），可选 FDR 或 Bonferroni 多重检验校正。输出字段：lisa_i（局部 I）、lisa_q（象限 HH、LH、LL、HL）、lisa_z、lisa_p（伪 p 值）、lisa_sig 和 lisa_cl（显著时为象限，否则为 'not significant'），并按 GeoDa 的 LISA 配色渲染。另输出显著性地图：lisa_pcl 为伪 p 值的等级（p &lt;= 0.001、0.01、0.05、不显著；未经校正，与 GeoDa 的显著性地图一致），以绿色系渲染。</translation>
    </message>
    <message>
      <source>Neighbour adoption by year</source>
      <translation>逐年邻近单元采纳比例</translation>
    </message>
    <message>
      <source>For every unit and year: treated (the unit's effective pilot year has come) and share_treated, the share of its queen-contiguous neighbours already treated ((W D)_it with row-standardised W, policylink.spatial.did.neighbour_share). One feature per unit and year, with temporal properties on 'year' so the Temporal Controller steps through the diffusion.</source>
      <translation>每个单元每一年：treated（已到该单元试点生效年份）和 share_treated（其后邻接邻居中已处理的比例，即行标准化 W 下的 (W D)_it，policylink.spatial.did.neighbour_share）。每个单元每年一个要素，并在 'year' 上设置时间属性，时间控制器可逐年展示扩散过程。</translation>
    </message>
    <message>
      <source>Neighbour adoption</source>
      <translation>邻近单元采纳</translation>
    </message>
    <message>
      <source>Years (first-last)</source>
      <translation>年份（起—止）</translation>
    </message>
    <message>
      <source>Years must look like 2009-2019.</source>
      <translation>年份格式应为 2009-2019。</translation>
    </message>
    <message>
      <source>Inferred diffusion ties (NetInf)</source>
      <translation>推断的扩散关系（NetInf）</translation>
    </message>
    <message>
      <source>NetInf (Gomez-Rodriguez, Leskovec &amp; Krause 2010): the most likely ties along which the programmes' adoptions spread, each programme's first adoption dates being one cascade. Programmes: comma-separated, empty = every programme with events. One arrow per tie from source to target unit (representative points), with the likelihood gain, its one-sided p-value, the cascades it explains and whether the pair is a coordination link or contiguous. Ties: a number, or 0 to add ties while the next one's p-value is at most the threshold. Optionally also the observed coordination links (of one programme, or of all as in the comparison), to draw beside the ties. Same inputs and numbers as `policylink diffusion netinf`.</source>
      <translation>NetInf（Gomez-Rodriguez、Leskovec 和 Krause 2010）：推断各项目采纳最可能沿之扩散的关系，每个项目的首次采纳日期构成一个级联。项目：逗号分隔，留空 = 所有有事件的项目。每条关系一支箭头，从来源单元指向目标单元（代表点），附似然增益、单侧 p 值、其解释的级联数，以及该对单元是否有协作联系或相邻。关系数：给定数目，或 0 表示在下一条关系的 p 值不超过阈值时持续添加。可选同时输出观测到的协作联系（某一项目的，或与比较时相同的全部项目的），与推断关系并排绘制。输入与数值与 `policylink diffusion netinf` 相同。</translation>
    </message>
    <message>
      <source>Inferred diffusion ties</source>
      <translation>推断的扩散关系</translation>
    </message>
    <message>
      <source>Number of ties (0 = by the p-value threshold)</source>
      <translation>关系数（0 = 按 p 值阈值）</translation>
    </message>
    <message>
      <source>p-value threshold</source>
      <translation>p 值阈值</translation>
    </message>
    <message>
      <source>Transmission-time model</source>
      <translation>传播时间模型</translation>
    </message>
    <message>
      <source>Programme of the observed coordination links (empty = all)</source>
      <translation>观测协作联系所属项目（留空 = 全部）</translation>
    </message>
    <message>
      <source>Observed coordination links</source>
      <translation>观测到的协作联系</translation>
    </message>
    <message>
      <source>Exponential</source>
      <translation>指数分布</translation>
    </message>
    <message>
      <source>Power law</source>
      <translation>幂律分布</translation>
    </message>
    <message>
      <source>Pilot batches (adoption layer)</source>
      <translation>试点批次（政策采纳图层）</translation>
    </message>
    <message>
      <source>Prefecture units with the batch in which they became pilots of a programme (default the national low-carbon pilots: batches of 2010, 2012 and 2017, seed 002 Fig. 2). A designated province covers all its prefectures, the earliest batch wins, county-level pilots do not make their prefecture a pilot (seed 004 rules). first_year is the effective year of the batch (default 2011, 2013, 2017 as in seed 004). Styled by batch. Without the database: a units layer with a code field and a batch field (turned into years by the effective years) or a first-year field.</source>
      <translation>lation&gt;地级单元及其成为某试点项目试点的批次（默认国家低碳试点：2010、2012、2017 年三批，种子文献 002 图 2）。试点省覆盖其全部地级单元，取最早批次，县级试点不使其所在地级市成为试点（种子文献 004 规则）。first_year 为该批次的生效年份（默认 2011、2013、2017，与种子文献 004 一致）。按批次配色。不使用数据库时：给出含代码字段以及批次字段（按生效年份换算为年份）或首年字段的单元图层。</translation>
    </message>
    <message>
      <source>Pilot batches</source>
      <translation>试点批次</translation>
    </message>
    <message>
      <source>Effective year of each batch</source>
      <translation>各批次生效年份</translation>
    </message>
    <message>
      <source>No units in the database for these codes.</source>
      <translation>数据库中没有这些代码对应的单元。</translation>
    </message>
    <message>
      <source>Batches {batches} have no effective year; give one per batch.</source>
      <translation>批次 {batches} 没有生效年份；请为每个批次给出一个年份。</translation>
    </message>
    <message>
      <source>Spatial panel model (SAR / SEM / SDM / SAC / SDEM / GNS) with effects</source>
      <translation>空间面板模型（SAR / SEM / SDM / SAC / SDEM / GNS）及效应分解</translation>
    </message>
    <message>
      <source>Spatial lag (SAR), spatial error (SEM), spatial Durbin (SDM), lag and error (SAC), spatial Durbin error (SDEM) or general nesting (GNS) model for a balanced panel, with unit, time or two-way fixed effects (random unit effects for SAR, SEM and SDM), estimated by concentrated maximum likelihood (Elhorst 2014), optional Lee-Yu (2010) bias correction. GNS is weakly identified: use it for comparison, not interpretation. Except for SEM: direct, indirect and total effects (LeSage and Pace 2009) with standard errors from simulated parameter draws (SDEM in closed form), as in seed 000 Table 5. The panel is a table (unit id, year, y, x...), e.g. the emission_panel view or a CSV layer; weights come from the unit layer or a GAL/GWT file. Outputs: coefficient table, effects table and an HTML page.</source>
      <translation>平衡面板的空间滞后（SAR）、空间误差（SEM）、空间杜宾（SDM）、空间自回归组合（SAC，滞后加误差）、空间杜宾误差（SDEM）或广义嵌套（GNS）模型，可选个体、时间或双向固定效应（SAR、SEM、SDM 亦可用个体随机效应），采用集中极大似然估计（Elhorst 2014），可选 Lee-Yu（2010）偏误校正。GNS 识别较弱：仅用于比较，不宜解释。除 SEM 外给出直接效应、间接效应和总效应（LeSage 与 Pace 2009），其标准误由参数模拟抽样得到（SDEM 为解析式），与种子文献 000 表 5 一致。面板为表格（单元编号、年份、y、x…），例如 emission_panel 视图或 CSV 图层；空间权重来自单元图层或 GAL/GWT 文件。输出：系数表、效应表和 HTML 结果页。</translation>
    </message>
    <message>
      <source>Coefficients</source>
      <translation>系数</translation>
    </message>
    <message>
      <source>Effects</source>
      <translation>效应分解</translation>
    </message>
    <message>
      <source>Dependent variable</source>
      <translation>被解释变量</translation>
    </message>
    <message>
      <source>Explanatory variables</source>
      <translation>解释变量</translation>
    </message>
    <message>
      <source>Fixed effects</source>
      <translation>固定效应</translation>
    </message>
    <message>
      <source>Lee-Yu bias correction</source>
      <translation>Lee-Yu 偏误校正</translation>
    </message>
    <message>
      <source>Simulation draws for the effects</source>
      <translation>效应模拟抽样次数</translation>
    </message>
    <message>
      <source>Model comparison (SAR, SEM, SDM, SAC, SDEM, GNS: AIC, BIC, LR tests)</source>
      <translation>模型比较（SAR、SEM、SDM、SAC、SDEM、GNS：AIC、BIC、LR 检验）</translation>
    </message>
    <message>
      <source>Choose at least one explanatory variable.</source>
      <translation>请至少选择一个解释变量。</translation>
    </message>
    <message>
      <source>GNS is weakly identified: LeSage-Pace and Elhorst advise against interpreting its estimates.</source>
      <translation>GNS 模型识别较弱：LeSage-Pace 与 Elhorst 建议不要解释其估计值。</translation>
    </message>
    <message>
      <source>Fitting {m} with {fe} fixed effects on {n} rows</source>
      <translation>正在估计 {m}（{fe} 固定效应），共 {n} 行</translation>
    </message>
    <message>
      <source>Fit</source>
      <translation>拟合优度</translation>
    </message>
    <message>
      <source>Method</source>
      <translation>方法</translation>
    </message>
    <message>
      <source>Two-way (unit and time)</source>
      <translation>双向（个体与时间）</translation>
    </message>
    <message>
      <source>Unit</source>
      <translation>个体</translation>
    </message>
    <message>
      <source>Time</source>
      <translation>时间</translation>
    </message>
    <message>
      <source>None</source>
      <translation>不校正</translation>
    </message>
    <message>
      <source>Random unit effects (SAR, SEM, SDM)</source>
      <translation>个体随机效应（SAR、SEM、SDM）</translation>
    </message>
    <message>
      <source>Model comparison</source>
      <translation>模型比较</translation>
    </message>
    <message>
      <source>LR tests</source>
      <translation>似然比（LR）检验</translation>
    </message>
    <message>
      <source>Concentrated maximum likelihood, {fe} fixed effects; effects from {d} draws (seed {s}).</source>
      <translation>集中极大似然估计，{fe} 固定效应；效应基于 {d} 次抽样（随机种子 {s}）。</translation>
    </message>
    <message>
      <source>Weights connectivity report</source>
      <translation>空间权重连通性报告</translation>
    </message>
    <message>
      <source>Connectivity of the spatial weights of a layer (queen, rook, k nearest neighbours) or of a GAL/GWT file, as GeoDa shows on creating weights and as the command `policylink weights report` prints: the histogram of the number of neighbours, the islands (units without neighbours), the connected components and the units whose neighbour relation is not returned (asymmetry, usual for k nearest neighbours). Outputs: a table per unit (neighbours, component, island, asymmetric) and the histogram table; the summary (units, links, density, islands, components, symmetric) as results and in the log.</source>
      <translation>图层空间权重（后相邻、车相邻、k 近邻）或 GAL/GWT 文件的连通性，与 GeoDa 创建权重时显示的以及命令 `policylink weights report` 输出的一致：邻居数直方图、孤岛（没有邻居的单元）、连通分量，以及邻居关系不对称的单元（k 近邻常见）。输出：每个单元一行的表（邻居数、分量、孤岛、不对称）和直方图表；汇总（单元数、连接数、密度、孤岛、分量、是否对称）作为结果并写入日志。</translation>
    </message>
    <message>
      <source>Connectivity per unit</source>
      <translation>各单元的连通性</translation>
    </message>
    <message>
      <source>Histogram of the number of neighbours</source>
      <translation>邻居数直方图</translation>
    </message>
    <message>
      <source>{n} units, {links} links, {islands} islands, {components} components, symmetric: {symmetric}</source>
      <translation>{n} 个单元，{links} 条连接，{islands} 个孤岛，{components} 个连通分量，对称：{symmetric}</translation>
    </message>
    <message>
      <source>Random seed</source>
      <translation>随机种子</translation>
    </message>
    <message>
      <source>Spatial weights from the layer's geometries</source>
      <translation>由图层几何构建空间权重</translation>
    </message>
    <message>
      <source>k (nearest neighbours)</source>
      <translation>k（近邻个数）</translation>
    </message>
    <message>
      <source>Weights file (GAL or GWT; overrides the choice above)</source>
      <translation>权重文件（GAL 或 GWT；优先于上面的选择）</translation>
    </message>
    <message>
      <source>Needs the Python packages: {names}</source>
      <translation>需要的 Python 包：{names}</translation>
    </message>
    <message>
      <source>Weights: {n} units, {links} links, mean {mean:.2f} neighbours</source>
      <translation>空间权重：{n} 个单元，{links} 条连接，平均 {mean:.2f} 个邻居</translation>
    </message>
    <message>
      <source>Contiguity read from the database views (w_{kind}).</source>
      <translation>邻接关系读自数据库视图（w_{kind}）。</translation>
    </message>
    <message>
      <source>{algorithm} needs the Python package '{package}', which QGIS's Python cannot import. Install it with: {command} and restart QGIS.</source>
      <translation>{algorithm} 需要 Python 包 '{package}'，但 QGIS 的 Python 无法导入它。请用以下命令安装：{command}，然后重启 QGIS。</translation>
    </message>
    <message>
      <source>Layer '{layer}' has no features; choose a layer with at least {n} units.</source>
      <translation>图层 '{layer}' 没有要素；请选择至少包含 {n} 个单元的图层。</translation>
    </message>
    <message>
      <source>Layer '{layer}' has only {count} feature(s); spatial statistics compare units with their neighbours and need at least {n} units.</source>
      <translation>图层 '{layer}' 只有 {count} 个要素；空间统计要把单元与其邻居比较，至少需要 {n} 个单元。</translation>
    </message>
    <message>
      <source>Layer '{layer}' is in {crs}, a CRS in degrees, but its coordinates reach {x:.0f}, {y:.0f}, which are not degrees; set the CRS the coordinates are in.</source>
      <translation>图层 '{layer}' 的坐标参考系为以度为单位的 {crs}，但其坐标达到 {x:.0f}、{y:.0f}，不是度数；请设置坐标实际所用的 CRS。</translation>
    </message>
    <message>
      <source>Layer '{layer}' has no polygons: contiguity weights (queen, rook) need shared borders; choose 'k nearest neighbours' or give a weights file (GAL or GWT).</source>
      <translation>图层 '{layer}' 不是面图层：邻接权重（Queen、Rook）需要共享边界；请选择“k 近邻”或提供权重文件（GAL 或 GWT）。</translation>
    </message>
    <message>
      <source>Weights file '{file}' does not exist; give a GAL or GWT file.</source>
      <translation>权重文件 '{file}' 不存在；请提供 GAL 或 GWT 文件。</translation>
    </message>
    <message>
      <source>Weights file '{file}' is not a GAL or GWT file (.gal, .gwt).</source>
      <translation>权重文件 '{file}' 不是 GAL 或 GWT 文件（.gal、.gwt）。</translation>
    </message>
    <message>
      <source>Layer '{layer}' has no field '{field}'; its fields are: {fields}.</source>
      <translation>图层 '{layer}' 没有字段 '{field}'；其字段为：{fields}。</translation>
    </message>
    <message>
      <source>Field '{field}' of layer '{layer}' is {type}, not a number; choose a numeric field: {fields}.</source>
      <translation>图层 '{layer}' 的字段 '{field}' 是 {type} 类型，不是数值；请选择数值字段：{fields}。</translation>
    </message>
    <message>
      <source>Weights file '{file}' cannot be read: {error}</source>
      <translation>无法读取权重文件 '{file}'：{error}</translation>
    </message>
    <message>
      <source>Output folder '{folder}' cannot be created or written to: {error}</source>
      <translation>无法创建或写入输出文件夹 '{folder}'：{error}</translation>
    </message>
    <message>
      <source>{algorithm} stopped: {message}</source>
      <translation>{algorithm} 已停止：{message}</translation>
    </message>
    <message>
      <source>PostgreSQL connection (saved in QGIS)</source>
      <translation>PostgreSQL 连接（QGIS 中已保存）</translation>
    </message>
    <message>
      <source>Or: database URL (policylink db url)</source>
      <translation>或：数据库 URL（policylink db url）</translation>
    </message>
    <message>
      <source>Within (codes, comma-separated)</source>
      <translation>范围（行政区划代码，逗号分隔）</translation>
    </message>
    <message>
      <source>Province</source>
      <translation>省级</translation>
    </message>
    <message>
      <source>Prefecture</source>
      <translation>地级</translation>
    </message>
    <message>
      <source>County</source>
      <translation>县级</translation>
    </message>
    <message>
      <source>Cannot connect to the database {db}: {error}. Check that PostgreSQL is running and that the URL or saved connection names an existing PolicyLink database (see `policylink db url`).</source>
      <translation>无法连接数据库 {db}：{error}。请检查 PostgreSQL 是否在运行，以及 URL 或已保存连接是否指向现有的 PolicyLink 数据库（参见 `policylink db url`）。</translation>
    </message>
    <message>
      <source>The first year {a} is after the last year {b}.</source>
      <translation>起始年份 {a} 晚于结束年份 {b}。</translation>
    </message>
    <message>
      <source>Spatial autocorrelation</source>
      <translation>空间自相关</translation>
    </message>
    <message>
      <source>Units (any polygon or point layer)</source>
      <translation>空间单元（任意面或点图层）</translation>
    </message>
    <message>
      <source>Unit id field (unique)</source>
      <translation>单元编号字段（唯一）</translation>
    </message>
    <message>
      <source>Choose a unit layer.</source>
      <translation>请选择单元图层。</translation>
    </message>
    <message>
      <source>Multiple-testing control</source>
      <translation>多重检验校正</translation>
    </message>
    <message>
      <source>False discovery rate (Benjamini-Hochberg)</source>
      <translation>错误发现率（Benjamini-Hochberg）</translation>
    </message>
    <message>
      <source>Bonferroni</source>
      <translation>Bonferroni</translation>
    </message>
    <message>
      <source>Local statistics need permutations for their p-values; give at least 99.</source>
      <translation>局部统计量的 p 值来自置换检验，需要置换次数；请至少设为 99。</translation>
    </message>
    <message>
      <source>Significance map (pseudo p-value classes)</source>
      <translation>显著性地图（伪 p 值等级）</translation>
    </message>
    <message>
      <source>{what} of field {field} of layer {layer}.</source>
      <translation>图层 {layer} 字段 {field} 的{what}。</translation>
    </message>
    <message>
      <source>Effective years must be years separated by commas.</source>
      <translation>生效年份须为逗号分隔的年份。</translation>
    </message>
    <message>
      <source>Programme</source>
      <translation>项目</translation>
    </message>
    <message>
      <source>Or, without the database: units layer</source>
      <translation>或不使用数据库：单元图层</translation>
    </message>
    <message>
      <source>Unit code field</source>
      <translation>单元代码字段</translation>
    </message>
    <message>
      <source>Name field</source>
      <translation>名称字段</translation>
    </message>
    <message>
      <source>Link table (one row per event and pair of unit codes)</source>
      <translation>联系表（每个事件、每对单元代码一行）</translation>
    </message>
    <message>
      <source>First unit code field</source>
      <translation>第一个单元代码字段</translation>
    </message>
    <message>
      <source>Second unit code field</source>
      <translation>第二个单元代码字段</translation>
    </message>
    <message>
      <source>Link type field</source>
      <translation>联系类型字段</translation>
    </message>
    <message>
      <source>Event id field</source>
      <translation>事件编号字段</translation>
    </message>
    <message>
      <source>Without the database, give the link table (LINKS) besides the units layer.</source>
      <translation>不使用数据库时，除单元图层外还需给出联系表（LINKS）。</translation>
    </message>
    <message>
      <source>First-year field</source>
      <translation>首年字段</translation>
    </message>
    <message>
      <source>Batch field</source>
      <translation>批次字段</translation>
    </message>
    <message>
      <source>Layer '{layer}': choose the unit code field (UNITS_CODE).</source>
      <translation>图层 '{layer}'：请选择单元代码字段（UNITS_CODE）。</translation>
    </message>
    <message>
      <source>Layer '{layer}': choose the field with each unit's {what}.</source>
      <translation>图层 '{layer}'：请选择记录各单元 {what} 的字段。</translation>
    </message>
    <message>
      <source>Layer '{layer}' has no coordinate reference system; set one.</source>
      <translation>图层 '{layer}' 没有坐标参考系；请设置一个。</translation>
    </message>
    <message>
      <source>Layer '{layer}', field '{field}': codes must be unique and not empty (repeated: {codes}).</source>
      <translation>图层 '{layer}'，字段 '{field}'：代码必须唯一且不能为空（重复：{codes}）。</translation>
    </message>
    <message>
      <source>Table '{layer}': choose the two unit code fields (LINK_A, LINK_B).</source>
      <translation>表 '{layer}'：请选择两个单元代码字段（LINK_A、LINK_B）。</translation>
    </message>
    <message>
      <source>Table '{layer}': codes not in the units layer: {codes}</source>
      <translation>表 '{layer}'：单元图层中没有这些代码：{codes}</translation>
    </message>
    <message>
      <source>Layer '{layer}', feature {fid}, field '{field}': {value!r} is not a whole number (empty = never).</source>
      <translation>图层 '{layer}'，要素 {fid}，字段 '{field}'：{value!r} 不是整数（空值 = 从未）。</translation>
    </message>
    <message>
      <source>PolicyLink: policy diffusion and spatial statistics</source>
      <translation>PolicyLink：政策扩散与空间统计</translation>
    </message>
    <message>
      <source>Dynamic spatial panel (time and space-time lags) with bias correction</source>
      <translation>动态空间面板（时间滞后与时空滞后），含偏误校正</translation>
    </message>
    <message>
      <source>Dynamic spatial Durbin (or SAR) panel y_t = tau y_{t-1} + eta W y_{t-1} + rho W y_t + X_t beta + W X_t theta + unit (and time) fixed effects, as Stata xsmle dlag, estimated by quasi-maximum likelihood with the Yu-de Jong-Lee (2008) / Lee-Yu bias correction. Short-run and long-run direct, indirect and total effects with standard errors from simulated parameter draws. Needs a balanced panel with equally spaced years; time effects need row-standardised weights. Outputs: coefficient table (corrected and uncorrected), effects table and an HTML page.</source>
      <translation>动态空间杜宾（或 SAR）面板 y_t = tau y_{t-1} + eta W y_{t-1} + rho W y_t + X_t beta + W X_t theta + 个体（及时间）固定效应，与 Stata xsmle dlag 相同，以准极大似然估计并作 Yu-de Jong-Lee（2008）/ Lee-Yu 偏误校正。给出短期与长期的直接、间接、总效应，标准误由参数模拟抽样得到。需要年份等间隔的平衡面板；时间固定效应需要行标准化权重。输出：系数表（校正与未校正）、效应表和 HTML 页面。</translation>
    </message>
    <message>
      <source>Dynamic lags</source>
      <translation>动态滞后项</translation>
    </message>
    <message>
      <source>Time and space-time lags (y_{t-1}, W y_{t-1})</source>
      <translation>时间滞后与时空滞后（y_{t-1}，W y_{t-1}）</translation>
    </message>
    <message>
      <source>Time lag only (y_{t-1})</source>
      <translation>仅时间滞后（y_{t-1}）</translation>
    </message>
    <message>
      <source>Space-time lag only (W y_{t-1})</source>
      <translation>仅时空滞后（W y_{t-1}）</translation>
    </message>
    <message>
      <source>Spatial lags of the explanatory variables (W X)</source>
      <translation>解释变量的空间滞后（W X）</translation>
    </message>
    <message>
      <source>Bias correction</source>
      <translation>偏误校正</translation>
    </message>
    <message>
      <source>Dynamic spatial panel</source>
      <translation>动态空间面板</translation>
    </message>
    <message>
      <source>Cross-sectional spatial model for one year (SAR / SEM / SDM, ML or GMM)</source>
      <translation>单年截面空间模型（SAR / SEM / SDM，ML 或 GMM）</translation>
    </message>
    <message>
      <source>Spatial lag (SAR), spatial error (SEM) or spatial Durbin (SDM) model fitted to one year of the panel, by maximum likelihood (spreg ML_Lag / ML_Error) or by GMM (spatial 2SLS for SAR and SDM, Arraiz-Drukker-Kelejian-Prucha GMM for SEM). SAR and SDM: direct, indirect and total effects (LeSage and Pace 2009) with standard errors from simulated parameter draws. Outputs: coefficient table, effects table and an HTML page.</source>
      <translation>对面板中的某一年拟合空间滞后（SAR）、空间误差（SEM）或空间杜宾（SDM）模型，采用极大似然（spreg ML_Lag / ML_Error）或 GMM（SAR 与 SDM 用空间两阶段最小二乘，SEM 用 Arraiz-Drukker-Kelejian-Prucha GMM）。SAR 与 SDM：直接、间接、总效应（LeSage 和 Pace 2009），标准误由参数模拟抽样得到。输出：系数表、效应表和 HTML 页面。</translation>
    </message>
    <message>
      <source>Estimation method</source>
      <translation>估计方法</translation>
    </message>
    <message>
      <source>Maximum likelihood</source>
      <translation>极大似然</translation>
    </message>
    <message>
      <source>GMM</source>
      <translation>GMM（广义矩估计）</translation>
    </message>
    <message>
      <source>Year {year} is not in the panel.</source>
      <translation>面板中没有 {year} 年。</translation>
    </message>
    <message>
      <source>Cross-sectional spatial model</source>
      <translation>截面空间模型</translation>
    </message>
  </context>
</TS>
